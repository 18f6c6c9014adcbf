import fs from 'node:fs';
import path from 'node:path';

import AdmZip from 'adm-zip';

/** Where a secret was found: the file, and the path inside archives or embedded data. */
export interface SecretHit {
  location: string;
  form: string;
}

export interface ScanResult {
  hits: SecretHit[];
  files: number;
  /** Archive entries and embedded data blobs opened and searched, besides the files themselves. */
  nested: number;
  bytes: number;
}

/**
 * The forms a secret can take in an artifact: as is, URL-encoded, and base64 at each of the three
 * alignments it can start at inside a longer base64 string (edge characters dropped, since they
 * depend on the neighbouring bytes).
 */
export function secretForms(secret: string): { form: string; needle: Buffer }[] {
  const forms = [
    { form: 'plain', needle: Buffer.from(secret) },
    { form: 'url-encoded', needle: Buffer.from(encodeURIComponent(secret)) },
  ];
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.concat([Buffer.alloc(pad), Buffer.from(secret)]).toString('base64');
    const start = pad === 0 ? 0 : Math.ceil((pad * 4) / 3) + 1;
    const core = encoded.replace(/=+$/, '').slice(start, -2);
    if (core.length >= 8) forms.push({ form: `base64 (offset ${pad})`, needle: Buffer.from(core) });
  }
  return forms.filter((f, i, all) => all.findIndex((g) => g.needle.equals(f.needle)) === i);
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Playwright's HTML report embeds its data as a base64 zip in index.html. */
const EMBEDDED_ZIP = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/g;

/** Searches every file under the folders byte by byte, opening zips (traces, blobs) and embedded report data. */
export function scanForSecret(roots: readonly string[], secret: string): ScanResult {
  const forms = secretForms(secret);
  const result: ScanResult = { hits: [], files: 0, nested: 0, bytes: 0 };
  const search = (bytes: Buffer, location: string, depth: number) => {
    result.bytes += bytes.length;
    for (const { form, needle } of forms)
      if (bytes.includes(needle)) result.hits.push({ location, form });
    if (depth > 4) return;
    if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) {
      for (const entry of new AdmZip(bytes).getEntries()) {
        if (entry.isDirectory) continue;
        result.nested += 1;
        search(entry.getData(), `${location}!/${entry.entryName}`, depth + 1);
      }
      return;
    }
    if (bytes.includes('data:application/zip;base64,')) {
      for (const match of bytes.toString('latin1').matchAll(EMBEDDED_ZIP)) {
        result.nested += 1;
        search(Buffer.from(match[1] ?? '', 'base64'), `${location}!/<embedded zip>`, depth + 1);
      }
    }
  };
  for (const root of roots) {
    if (!fs.existsSync(root)) continue;
    const files = fs.statSync(root).isDirectory()
      ? fs
          .readdirSync(root, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => path.join(e.parentPath, e.name))
      : [root];
    for (const file of files) {
      result.files += 1;
      search(fs.readFileSync(file), file, 0);
    }
  }
  return result;
}
