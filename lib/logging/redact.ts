const MASK = '***';

/** Replaces every occurrence of each secret in `text` with a mask; secrets shorter than 4 characters are ignored. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    result = result.split(secret).join(MASK);
  }
  return result;
}

const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$/i;

/** Returns a copy of `headers` with credential headers masked and known secret values removed from the rest. */
export function redactHeaders(
  headers: Record<string, string>,
  secrets: readonly string[],
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    result[name] = SECRET_HEADERS.test(name)
      ? maskCredential(value)
      : redactSecrets(value, secrets);
  }
  return result;
}

function maskCredential(value: string): string {
  const scheme = /^(\w+)\s/.exec(value)?.[1];
  return scheme === undefined ? MASK : `${scheme} ${MASK}`;
}
