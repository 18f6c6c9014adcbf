import type { TranscriptLine } from './session';

/** Everything needed to read, replay and re-find a failing sequence. */
export interface Counterexample {
  /** The calls of the shrunk sequence, the last one the call that disagreed. */
  transcript: readonly TranscriptLine[];
  /** Commands of the generated sequence that ran (a command may make several calls). */
  commands: number;
  /** Why the last call failed. */
  error: string;
  seed: number;
  path: string | undefined;
  replayPath: string | undefined;
  /** The Playwright project it failed in, and the environment's name. */
  project: string;
  /** How the replayed test opens its session; the users API's when absent. */
  opening?: SessionOpening;
}

/** How a replayed test opens its model session: imports, fixtures, and the lines that make `model`. */
export interface SessionOpening {
  imports: string[];
  fixtures: string;
  setup: string[];
}

const USERS_OPENING: SessionOpening = {
  imports: [],
  fixtures: 'users, factory',
  setup: ['const model = new ModelSession(users, factory);'],
};

/** The environment variables and command line that re-run the search and land on this failure. */
export function replayCommand(example: Counterexample): string {
  const vars = [
    `MODEL_SEED=${example.seed}`,
    ...(example.path === undefined ? [] : [`MODEL_PATH='${example.path}'`]),
    ...(example.replayPath === undefined ? [] : [`MODEL_REPLAY_PATH='${example.replayPath}'`]),
  ];
  return `${vars.join(' ')} npx playwright test --project=${example.project} --grep @model`;
}

/** The shrunk sequence as a Playwright test, to save under `tests/api/` and run. */
export function counterexampleTest(example: Counterexample): string {
  const body = example.transcript.map((line, index) =>
    index === example.transcript.length - 1
      ? `  ${line.code} // ← disagrees with the model`
      : `  ${line.code}`,
  );
  const opening = example.opening ?? USERS_OPENING;
  return [
    `import { test } from '../../lib/fixtures';`,
    `import { ModelSession } from '../../lib/model/session';`,
    ...opening.imports,
    ``,
    `// Found by the model-based run on ${example.project}; ${replayCommand(example)}`,
    `test('model counterexample (seed ${example.seed})', { tag: '@model-replay' }, async ({ ${opening.fixtures} }) => {`,
    ...opening.setup.map((line) => `  ${line}`),
    ...body,
    `});`,
    ``,
  ].join('\n');
}

/** The requests the shrunk sequence sends, one per line (the scope and tags differ on replay). */
export function counterexampleRequests(example: Counterexample): string {
  return example.transcript.map((line) => line.request).join('\n');
}

/** The whole report of a failure: the test, the requests, how to replay, and the error. */
export function describeCounterexample(example: Counterexample): string {
  return [
    `The API disagreed with the model after ${example.commands} command(s) (${example.transcript.length} call(s)), shrunk:`,
    ``,
    counterexampleTest(example),
    `Equivalent requests:`,
    counterexampleRequests(example)
      .split('\n')
      .map((line) => `  ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`)
      .join('\n'),
    ``,
    `Replay the search: ${replayCommand(example)}`,
    ``,
    `Last call failed with: ${example.error}`,
  ].join('\n');
}
