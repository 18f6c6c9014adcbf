import AdmZip from 'adm-zip';

/** What a secret is replaced with, in logs and artifacts alike. */
export const SECRET_MASK = '***';

/** Shorter values are not treated as secrets: masking `true` or `1` everywhere would corrupt text. */
export const MIN_SECRET_LENGTH = 4;

/** Variable names whose values are credentials: every `<ENV>_API_TOKEN`, the embedded server's `MOCK_TOKEN`, and the like. */
const SECRET_VARIABLE = /(^|_)(API_TOKEN|TOKEN|SECRET|PASSWORD|API_KEY)$/i;

const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$/i;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * The secret values configured in an environment (the shell, .env, CI secrets): whatever a log,
 * report or trace must never contain.
 */
export function configuredSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim() ?? '';
    if (SECRET_VARIABLE.test(name)) values.add(trimmed);
  }
  return maskable(values);
}

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
    result[name] = SECRET_HEADERS.test(name) ? credential : redactSecrets(value, secrets);
  }
  return result;
}

/** Masks secrets in every string of a JSON-like value (errors, annotations, step parameters), in place; returns the value. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  const redact = (item: unknown): unknown =>
    typeof item === 'string' ? redactSecrets(item, secrets) : redactDeep(item, secrets);
  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      value[i] = redact(item);
    });
  } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const record = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(record)) record[key] = redact(item);
  }
  return value;
}

/**
 * `bytes` with every secret masked, a zip archive (a Playwright trace, a blob report) entry by entry
 * so that it stays a valid zip; undefined when no secret was there, so callers can skip a write.
 */
export function redactBytes(bytes: Buffer, secrets: readonly string[]): Buffer | undefined {
  if (bytes.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) {
    const archive = redactZip(bytes, secrets);
    if (archive !== 'unreadable') return archive;
  }
  let current = bytes;
  for (const secret of maskable(secrets)) {
    const needle = Buffer.from(secret);
    if (current.includes(needle)) current = replaceAll(current, needle, Buffer.from(SECRET_MASK));
  }
  return current === bytes ? undefined : current;
}

function redactZip(bytes: Buffer, secrets: readonly string[]): Buffer | undefined | 'unreadable' {
  let archive: AdmZip;
  try {
    archive = new AdmZip(bytes);
  } catch {
    return 'unreadable'; // starts like a zip but is not one: scan its bytes instead
  }
  let changed = false;
  for (const entry of archive.getEntries()) {
    if (entry.isDirectory) continue;
    const redacted = redactBytes(entry.getData(), secrets);
    if (redacted === undefined) continue;
    archive.updateFile(entry, redacted);
    changed = true;
  }
  return changed ? archive.toBuffer() : undefined;
}

function replaceAll(haystack: Buffer, needle: Buffer, replacement: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle, from); at !== -1; at = haystack.indexOf(needle, from)) {
    parts.push(haystack.subarray(from, at), replacement);
    from = at + needle.length;
  }
  parts.push(haystack.subarray(from));
  return Buffer.concat(parts);
}
