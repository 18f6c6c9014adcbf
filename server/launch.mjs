// @ts-check
/**
 * Runs the embedded server (`server/main.ts`, same arguments) from one JavaScript bundle, built with
 * esbuild the first time a version of the sources is started and reused by every later start. A
 * start through the tsx loader resolves and loads some 30 TypeScript files through its hooks, about
 * 1 s more on a 2-core machine, and a test run starts many servers (docs/performance.md).
 *
 * The bundle holds fastify and the other dependencies too (loading them file by file costs a third
 * of a start). Its name is a hash of every source file under server/ and of package-lock.json, so
 * neither an edit nor an upgrade is ever served stale.
 *
 *   node server/launch.mjs --port 4010 [flags of server/main.ts]
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const require = createRequire(import.meta.url);
const BUILDS = path.join(root, '.tmp', 'server-build');

/** Every TypeScript file under server/, sorted, so the hash does not depend on directory order. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return sources(file);
      return entry.name.endsWith('.ts') ? [file] : [];
    })
    .sort();
}

/** The bundle for the sources as they are now, built if no earlier start built it. */
function bundle() {
  const hash = createHash('sha256');
  hash.update(String(require('esbuild/package.json').version));
  hash.update(readFileSync(path.join(root, 'package-lock.json')));
  for (const file of sources(here))
    hash.update(path.relative(root, file)).update(readFileSync(file));
  const out = path.join(BUILDS, `main-${hash.digest('hex').slice(0, 16)}.cjs`);
  if (existsSync(out)) return out;

  // Servers starting side by side may build at once: each builds in a folder of its own, and the
  // renames are atomic (the map first, so the bundle never names a map that is not there).
  const scratch = path.join(BUILDS, `building-${process.pid}`);
  const name = path.basename(out);
  require('esbuild').buildSync({
    entryPoints: [path.join(here, 'main.ts')],
    outfile: path.join(scratch, name),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  renameSync(path.join(scratch, `${name}.map`), `${out}.map`);
  renameSync(path.join(scratch, name), out);
  rmSync(scratch, { recursive: true, force: true });
  // Builds of older sources: a server running one has already loaded it.
  for (const old of readdirSync(BUILDS))
    if (old.startsWith('main-') && !old.startsWith(name))
      rmSync(path.join(BUILDS, old), { force: true });
  return out;
}

// Source maps cost a sixth of a start, so they are not switched on here: for stack traces that name
// server/*.ts lines, run `node --enable-source-maps server/launch.mjs`.
require(bundle());
