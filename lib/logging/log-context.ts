import { AsyncLocalStorage } from 'node:async_hooks';

import type { Logger } from './logger';

const bindings = new AsyncLocalStorage<Record<string, string>>();

/**
 * Runs `body` so that every framework log line it causes carries `extra` too, however deep the call
 * that logs: `withLogBindings({ phase: 'cleanup' }, () => cleanup.deleteAll())`.
 */
export function withLogBindings<T>(extra: Record<string, string>, body: () => T): T {
  return bindings.run({ ...bindings.getStore(), ...extra }, body);
}

/** `logger` with the bindings of the context it is called in (see {@link withLogBindings}). */
export function inContext(logger: Logger): Logger {
  const extra = bindings.getStore();
  return extra === undefined ? logger : logger.child(extra);
}

/** The `phase` binding of the current context (`cleanup`, `sweep`), if any. */
export function currentPhase(): string | undefined {
  return bindings.getStore()?.phase;
}
