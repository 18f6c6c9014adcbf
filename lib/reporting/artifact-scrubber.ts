import fs from 'node:fs';

import AdmZip from 'adm-zip';

/** What a secret is replaced with in artifacts; the same mask as the logger's. */
export const SECRET_MASK = '***';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Rewrites artifacts so that no secret value survives in them: plain files byte by byte, zip files
 * (Playwright traces, blob reports) entry by entry. Synchronous on purpose: reporters run in one
 * process and Playwright does not await `onTestEnd`, so the rewrite must be finished before the
 * next reporter copies the file.
 */
export class ArtifactScrubber {
  private readonly needles: Buffer[];

  constructor(readonly secrets: readonly string[]) {
    this.needles = secrets.filter((s) => s.length > 0).map((s) => Buffer.from(s, 'utf8'));
  }

  get enabled(): boolean {
    return this.needles.length > 0;
  }

  /** The text with every secret masked. */
  text(value: string): string {
    let result = value;
    for (const secret of this.secrets) {
      if (secret.length > 0 && result.includes(secret))
        result = result.split(secret).join(SECRET_MASK);
    }
    return result;
  }

  /** The bytes with every secret masked, or undefined when none was there (so callers can skip a write). */
  bytes(value: Buffer): Buffer | undefined {
    if (isZip(value)) {
      const archive = this.zip(value);
      if (archive !== 'unreadable') return archive;
    }
    let current = value;
    let changed = false;
    for (const needle of this.needles) {
      if (current.indexOf(needle) === -1) continue;
      current = replaceAll(current, needle, Buffer.from(SECRET_MASK));
      changed = true;
    }
    return changed ? current : undefined;
  }

  /** Rewrites a file in place when it holds a secret; returns whether it did. */
  file(path: string): boolean {
    if (!this.enabled || !fs.statSync(path, { throwIfNoEntry: false })?.isFile()) return false;
    const scrubbed = this.bytes(fs.readFileSync(path));
    if (scrubbed === undefined) return false;
    fs.writeFileSync(path, scrubbed);
    return true;
  }

  /** Rewrites a file, or every file under a folder; returns the files it changed. */
  path(target: string): string[] {
    const stat = fs.statSync(target, { throwIfNoEntry: false });
    if (stat === undefined) return [];
    if (!stat.isDirectory()) return this.file(target) ? [target] : [];
    const changed: string[] = [];
    for (const entry of fs.readdirSync(target, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = `${entry.parentPath}/${entry.name}`;
      if (this.file(path)) changed.push(path);
    }
    return changed;
  }

  /** Masks secrets in every string of a JSON-like value, in place; returns the value. */
  deep<T>(value: T): T {
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => {
        value[i] = typeof item === 'string' ? this.text(item) : this.deep(item);
      });
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      const record = value as Record<string, unknown>;
      for (const [key, item] of Object.entries(record)) {
        record[key] = typeof item === 'string' ? this.text(item) : this.deep(item);
      }
    }
    return value;
  }

  private zip(value: Buffer): Buffer | undefined | 'unreadable' {
    let archive: AdmZip;
    try {
      archive = new AdmZip(value);
    } catch {
      return 'unreadable'; // starts like a zip but is not one: scan its bytes instead
    }
    let changed = false;
    for (const entry of archive.getEntries()) {
      if (entry.isDirectory) continue;
      const scrubbed = this.bytes(entry.getData());
      if (scrubbed === undefined) continue;
      archive.updateFile(entry, scrubbed);
      changed = true;
    }
    return changed ? archive.toBuffer() : undefined;
  }
}

function isZip(value: Buffer): boolean {
  return value.length >= ZIP_MAGIC.length && value.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC);
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
