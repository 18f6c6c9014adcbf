/** What a secret is replaced with, in logs and artifacts alike. */
export const SECRET_MASK = '***';

/** Shorter values are not treated as secrets: masking `true` or `1` everywhere would corrupt text. */
export const MIN_SECRET_LENGTH = 4;

const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$/i;

/** The secrets long enough to mask, longest first, so a secret that contains another is masked whole. */
function maskable(secrets: Iterable<string>): string[] {
  return [...new Set(secrets)]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of each secret masked; secrets shorter than 4 characters are ignored. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of maskable(secrets)) result = result.split(secret).join(SECRET_MASK);
  return result;
}

/** A copy of `headers` with credential headers masked (keeping the scheme) and known secret values removed from the rest. */
export function redactHeaders(
  headers: Record<string, string>,
  secrets: readonly string[],
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const scheme = /^(\w+)\s/.exec(value)?.[1];
    const credential = scheme === undefined ? SECRET_MASK : `${scheme} ${SECRET_MASK}`;
    // `Bearer ${QA_API_TOKEN}` names a variable (lib/http/credentials.ts): no secret, and worth showing.
    const placeholder = /^\w+ \$\{\w+\}$/.test(value);
    result[name] =
      SECRET_HEADERS.test(name) && !placeholder ? credential : redactSecrets(value, secrets);
  }
  return result;
}
