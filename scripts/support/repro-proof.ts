/**
 * The proof that a defect the suite catches can be handed over: for a failed test of each defect
 * run, its reproduction's `requests.sh`, run by bash against a server with the defect, answers as the
 * test saw it where the test failed, and a faithful server answers otherwise; `npm run replay` exits
 * 1 against the defect and 0 against the faithful server; and no file of any reproduction of the
 * run, nor anything curl or the replay printed, holds the run's token. A token found, a caught
 * defect that left no reproduction, or one none of whose reproductions proves out fails the
 * sensitivity check, each stated with what fell short, unless {@link NOT_RESENDABLE} or
 * {@link NOT_YET_PROVEN} names it with the reason; the run ends with how many defects' reproductions
 * proved out. A defect run stops at its first failure on one worker, so which test leaves the
 * reproduction is the same from run to run.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { localBaseUrl } from '../../lib/config/run-settings';
import type { ReproDocument } from '../../lib/repro/repro-bundle';
import { comparable, IdOrdinals, readRepro } from '../../lib/repro/replay';
import { buildApp, controlPrefix } from '../../server/app';
import { defectNameSchema } from '../../server/defects';
import type { ServerOptionsInput } from '../../server/options';
import { replayJudged } from '../replay';
import { SetupError } from './cli';
import { type CurlAnswer, curlAnswers } from './curl-answers';
import type { EmbeddedServer } from './embedded-server';

const TOKEN = `repro-proof-${randomUUID()}`;

/**
 * What every defect run is given: a token its server demands and its suite sends, so that finding
 * it in no file of a reproduction means something.
 */
export const REPRO_PROOF_ENV = { LOCAL_API_TOKEN: TOKEN, MOCK_TOKEN: TOKEN } as const;

/**
 * Defects whose failures re-sending the calls cannot show, and why. Each is stated in the output,
 * and so is one that proves out after all, so that the list is seen to go stale.
 */
export const NOT_RESENDABLE: Readonly<Record<string, string>> = {};

/**
 * Defects whose reproductions do not prove out yet, with what the last full run showed. Each is
 * stated in the output without failing the check; one that proves out is stated too, so the list
 * is seen to shrink.
 */
export const NOT_YET_PROVEN: Readonly<Record<string, string>> = {};

/** A defect run of the sensitivity check: the defect and the output folder of its suite run. */
export interface DefectRun {
  defect: string;
  outputDir: string;
}

/** One reproduction tried: proven, or what did not prove out. */
export interface ReproVerdict {
  folder: string;
  proven: boolean;
  /** What curl and the replay showed, or what fell short. */
  detail: string;
  /** The reproduction's files and their bytes. */
  bytes: number;
  files: number;
}

/** The failed tests' folders of a run that hold a reproduction, in name order. */
export function reproFolders(outputDir: string): string[] {
  if (!fs.existsSync(outputDir)) return [];
  return fs
    .readdirSync(outputDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(outputDir, d.name))
    .filter((dir) => fs.existsSync(path.join(dir, 'repro', 'repro.json')))
    .sort();
}

/** `bash requests.sh` against `server`, stdout and stderr together, as a backend engineer runs it. */
function runCurl(folder: string, server: EmbeddedServer, repro: ReproDocument): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? '',
    API_ROOT: server.baseUrl,
    ...(repro.tokenVariable === undefined ? {} : { [repro.tokenVariable]: TOKEN }),
  };
  const script = path.join(folder, 'repro', 'requests.sh');
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', 'bash "$0" 2>&1', script],
      { env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (_error, stdout) => {
        resolve(stdout);
      },
    );
  });
}

/** Each answer's body as compared, its ids numbered in the order this run's answers gave them. */
const shapesOf = (repro: ReproDocument, bodies: readonly (string | undefined)[]): string[] => {
  const ordinals = new IdOrdinals();
  return bodies.map((body, i) => comparable(body, { ordinals, path: repro.calls[i]?.path ?? '' }));
};

/**
 * Whether curl shows the defect: where the test failed (each call a check refused, else its last),
 * the defective server answers as it did when the test ran, and the faithful server otherwise.
 */
export function curlShowsDefect(
  repro: ReproDocument,
  defective: readonly CurlAnswer[],
  faithful: readonly CurlAnswer[],
): { shown: boolean; detail: string } {
  const n = repro.calls.length;
  for (const [side, answers] of [
    ['defective', defective],
    ['faithful', faithful],
  ] as const)
    if (answers.length !== n)
      return {
        shown: false,
        detail: `curl printed ${answers.length} answers for ${n} calls (${side})`,
      };
  const refused = repro.calls.flatMap((c, i) => (c.refused === undefined ? [] : [i]));
  const failedAt = refused.length > 0 ? refused : [n - 1];
  const shapes = {
    recorded: shapesOf(
      repro,
      repro.calls.map((c) => c.recorded.body),
    ),
    defective: shapesOf(
      repro,
      defective.map((a) => a.body),
    ),
    faithful: shapesOf(
      repro,
      faithful.map((a) => a.body),
    ),
  };
  const differs = (i: number) => {
    const [bad, good] = [defective[i] as CurlAnswer, faithful[i] as CurlAnswer];
    return (
      bad.status !== good.status ||
      bad.contentType !== good.contentType ||
      shapes.defective[i] !== shapes.faithful[i]
    );
  };
  for (const i of failedAt) {
    const { recorded } = repro.calls[i] as ReproDocument['calls'][number];
    const got = defective[i] as CurlAnswer;
    if (got.status !== recorded.status || shapes.defective[i] !== shapes.recorded[i])
      return {
        shown: false,
        detail: `curl call ${i + 1} answered ${got.status} with another answer than the test saw (${recorded.status ?? 'no answer'})`,
      };
  }
  const shownAt = failedAt.find(differs);
  if (shownAt === undefined)
    return { shown: false, detail: 'curl: the faithful server answers as the defective one' };
  const [bad, good] = [defective[shownAt] as CurlAnswer, faithful[shownAt] as CurlAnswer];
  const what =
    bad.status !== good.status
      ? `${bad.status}, the faithful server ${good.status}`
      : bad.contentType !== good.contentType
        ? `${bad.contentType ?? 'no content type'}, the faithful server ${good.contentType ?? 'none'}`
        : `${bad.status} with another body than the faithful server's`;
  const call = repro.calls[shownAt];
  return {
    shown: true,
    detail: `curl call ${shownAt + 1} (${call?.method ?? ''} /${call?.path ?? ''}) answers ${what}`,
  };
}

/** How one replay ended: its exit code as the command's (null: it threw), and what it printed. */
interface ReplayRun {
  exitCode: number | null;
  output: string;
}

/**
 * `LOCAL_API_TOKEN=… npm run replay <folder> --base-url <server>`, run in this process: the
 * command's own function, its lines collected. The same code as the command less a process start
 * (1.7 CPU-seconds, twice per defect); tests/scripts/replay.spec.ts runs the command itself.
 */
async function replay(folder: string, server: EmbeddedServer): Promise<ReplayRun> {
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  const options = { source: folder, environment: 'local' as const, baseUrl: server.baseUrl };
  // The token is read from the environment as each request leaves (lib/http/credentials.ts), as
  // the command reads it from its shell; the defect runs are given the same (REPRO_PROOF_ENV).
  process.env.LOCAL_API_TOKEN = TOKEN;
  try {
    const exitCode = await replayJudged(options, out);
    return { exitCode, output: lines.join('\n') };
  } catch (error) {
    // A set-up problem ends the command with 2; anything else would be a crash, which proves nothing.
    out(`replay: ${error instanceof Error ? error.message : String(error)}`);
    return { exitCode: error instanceof SetupError ? 2 : null, output: lines.join('\n') };
  }
}

function filesOf(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile());
}

/** Sends one failed test's reproduction, by curl and by replay, to a defective and a faithful server. */
async function proveOne(defect: string, folder: string): Promise<ReproVerdict> {
  const files = filesOf(path.join(folder, 'repro'));
  const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
  const verdict = (proven: boolean, detail: string) => ({
    folder,
    proven,
    detail,
    bytes,
    files: files.length,
  });
  const repro = readRepro(folder);
  const outputs: [string, string][] = [];
  // Fresh servers for each way of sending, so what one left behind cannot change the other's lists.
  const [badOut, goodOut] = await withServers(defect, ([bad, good]) =>
    Promise.all([runCurl(folder, bad, repro), runCurl(folder, good, repro)]),
  );
  outputs.push(['curl output', badOut + goodOut]);
  const curl = curlShowsDefect(repro, curlAnswers(badOut), curlAnswers(goodOut));
  let replayed = '';
  if (curl.shown) {
    const [still, fixed] = await withServers(defect, ([bad, good]) =>
      Promise.all([replay(folder, bad), replay(folder, good)]),
    );
    outputs.push(['replay output', still.output + fixed.output]);
    if (still.exitCode !== 1 || fixed.exitCode !== 0)
      replayed = `replay exited ${String(still.exitCode)} against the defect (want 1) and ${String(fixed.exitCode)} against the faithful server (want 0): ${lastLines(still.output + fixed.output)}`;
  }
  const leaked = [
    ...files.filter((f) => fs.readFileSync(f, 'utf8').includes(TOKEN)),
    ...outputs.flatMap(([name, text]) => (text.includes(TOKEN) ? [name] : [])),
  ];
  if (leaked.length > 0) return verdict(false, `the token is in ${leaked.join(', ')}`);
  if (!curl.shown) return verdict(false, curl.detail);
  if (replayed !== '') return verdict(false, replayed);
  return verdict(true, `${curl.detail}; replay exits 1, and 0 against the faithful server`);
}

/**
 * Runs `body` with a server that has the defect and a faithful one, both demanding the token. They
 * run in this process, from the server's own app: a proof sends a few calls at a time, and four
 * server processes per defect cost more CPU to start than those calls cost to serve.
 */
async function withServers<T>(
  defect: string,
  body: (servers: [EmbeddedServer, EmbeddedServer]) => Promise<T>,
): Promise<T> {
  const servers = await Promise.all([
    inProcessServer({ token: TOKEN, defects: [defectNameSchema.parse(defect)] }),
    inProcessServer({ token: TOKEN }),
  ]);
  try {
    return await body(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** The embedded server's app, listening in this process on a loopback port the OS picks. */
async function inProcessServer(options: ServerOptionsInput): Promise<EmbeddedServer> {
  const app = buildApp({ logLevel: 'silent', ...options });
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    baseUrl: localBaseUrl(Number(new URL(origin).port)),
    controlUrl: `${origin}${controlPrefix}`,
    readLagMs: 0,
    stop: () => app.close(),
  };
}

const lastLines = (text: string) => text.trim().split('\n').slice(-4).join(' / ');

/** What proving one defect run's reproductions found: its lines of output and its problems. */
export interface DefectProof {
  defect: string;
  lines: string[];
  problems: string[];
  proven: ReproVerdict | undefined;
}

/**
 * Proves one defect run's reproductions (see the module's comment): tries its failed tests' in turn
 * until one proves out, and says so in a line, with what fell short for each one tried.
 */
export async function proveDefect({ defect, outputDir }: DefectRun): Promise<DefectProof> {
  const lines: string[] = [];
  const problems: string[] = [];
  const folders = reproFolders(outputDir);
  const leaks = folders
    .flatMap((folder) => filesOf(path.join(folder, 'repro')))
    .filter((file) => fs.readFileSync(file, 'utf8').includes(TOKEN));
  if (leaks.length > 0) problems.push(`${defect}: the token is in ${leaks.join(', ')}`);
  const tried: ReproVerdict[] = [];
  for (const folder of folders) {
    const result = await proveOne(defect, folder);
    tried.push(result);
    if (result.proven) break;
  }
  const win = tried.find((t) => t.proven);
  const why = NOT_RESENDABLE[defect];
  const gap = NOT_YET_PROVEN[defect];
  const name = (t: ReproVerdict) => path.basename(t.folder);
  if (win !== undefined) {
    lines.push(`${defect.padEnd(26)} proven by ${name(win)}: ${win.detail}`);
    // Which failed test a run leaves first varies with timing: a listed defect proving out on one
    // run is news for its list, not a verdict on the suite.
    if (why !== undefined || gap !== undefined)
      lines.push(`${' '.repeat(26)} (listed as not provable: take it off the list)`);
  } else if (why !== undefined) {
    lines.push(`${defect.padEnd(26)} NOT RE-SENDABLE, as stated: ${why}`);
  } else if (gap !== undefined) {
    lines.push(`${defect.padEnd(26)} NOT PROVEN YET, a known gap: ${gap}`);
  } else if (folders.length === 0) {
    lines.push(`${defect.padEnd(26)} NO REPRODUCTION`);
    problems.push(`${defect}: its failed tests left no reproduction`);
  } else {
    lines.push(`${defect.padEnd(26)} NOT PROVEN`);
    problems.push(`${defect}: no reproduction of it proved out (see above)`);
  }
  for (const t of tried.filter((v) => !v.proven)) lines.push(`  ${name(t)}: ${t.detail}`);
  return { defect, lines, problems, proven: win };
}

/**
 * Prints each defect's proof, in the order given, then how many proved out and the bundles' size;
 * returns the problems: a defect that left no reproduction, one none of whose reproductions proved
 * out, a token found in a reproduction.
 */
export function reportProofs(proofs: readonly DefectProof[]): string[] {
  console.log('\nReproductions (curl and replay against the defect, then a faithful server):');
  for (const proof of proofs) for (const line of proof.lines) console.log(line);
  const proven = proofs.flatMap((p) => (p.proven === undefined ? [] : [p.proven]));
  const sizes = proven.map((p) => p.bytes).sort((a, b) => a - b);
  const median = sizes[Math.floor(sizes.length / 2)];
  console.log(
    `\nrepro proof: ${proven.length} of ${proofs.length} defects' reproductions proven` +
      (median === undefined
        ? ''
        : `; median bundle ${median} bytes in ${proven[0]?.files ?? 0} files (${sizes[0]}–${sizes.at(-1)})`),
  );
  return proofs.flatMap((p) => p.problems);
}
