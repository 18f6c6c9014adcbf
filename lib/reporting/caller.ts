import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Location } from '@playwright/test';

const LIB = path.resolve(__dirname, '..') + path.sep;
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
/** Where `expect.poll` lives in Playwright: a read called from there is one of its polls' reads. */
const EXPECT_MATCHERS = `${path.sep}playwright${path.sep}lib${path.sep}matchers${path.sep}`;
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** Where an operation was started from, as far as reports are concerned. */
export interface Caller {
  /** The first frame outside the framework (`lib/`) and `node_modules`: the test's line. */
  location: Location | undefined;
  /** Whether the operation runs inside the callback of an `expect.poll`. */
  inExpectPoll: boolean;
}

/** Finds the caller of an operation in a stack trace (by default, the current one). */
export function callerOf(stack: string = currentStack()): Caller {
  let location: Location | undefined;
  let inExpectPoll = false;
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    const [, where = '', row = '0', column = '0'] = match;
    const file = where.startsWith('file://') ? fileURLToPath(where) : where;
    if (file.includes(EXPECT_MATCHERS)) inExpectPoll = true;
    if (
      location !== undefined ||
      !path.isAbsolute(file) ||
      file.startsWith(LIB) ||
      file.includes(NODE_MODULES)
    )
      continue;
    location = { file, line: Number(row), column: Number(column) };
  }
  return { location, inExpectPoll };
}

function currentStack(): string {
  const limit = Error.stackTraceLimit;
  // A call made by a reconcile inside a resource API is a dozen frames below the test.
  Error.stackTraceLimit = 40;
  try {
    return new Error().stack ?? '';
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Makes an error thrown inside a step point at the test's line, where Playwright shows its code. */
export function locate(
  error: unknown,
  location: Location | undefined,
  located: WeakSet<object>,
): void {
  if (!(error instanceof Error) || location === undefined || located.has(error)) return;
  located.add(error);
  const frame = `\n    at ${location.file}:${location.line}:${location.column}`;
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  const at = stack.indexOf('\n    at ');
  error.stack = at === -1 ? stack + frame : stack.slice(0, at) + frame + stack.slice(at);
}
