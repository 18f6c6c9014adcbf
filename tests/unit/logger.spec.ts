import { expect, test } from '@playwright/test';

import { withLogBindings, inContext } from '../../lib/logging/log-context';
import { logLevelFromEnv, useColour } from '../../lib/config/log-settings';
import { createLogger } from '../../lib/logging/logger';
import { collectingStream } from './support/fake-request';

const TOKEN = 'tok-4f9a1c-very-secret';
// eslint-disable-next-line no-control-regex -- ANSI colour codes are exactly what is looked for
const ANSI = /\u001b\[/;

/** Just enough of a stream for `useColour`; Node leaves isTTY undefined on pipes and files. */
const stream = (isTTY: boolean | undefined) => ({ isTTY });

test.describe('createLogger', () => {
  test('many loggers on one stream leave no listener on it, and each still writes', () => {
    // A script's replays and a worker's tests each make a logger; listeners piling up on stderr
    // warn of a leak (MaxListenersExceededWarning) after ten.
    const out = collectingStream();
    for (let i = 0; i < 12; i += 1)
      createLogger({ destination: out.stream, level: 'info' }).info(`line ${i}`);
    expect(out.text().match(/line \d+/g)).toHaveLength(12);
    const listeners = out.stream.eventNames().map((name) => out.stream.listenerCount(name));
    expect(Math.max(0, ...listeners)).toBeLessThanOrEqual(1);
  });

  test('a token never reaches the output, wherever it is logged', () => {
    const out = collectingStream();
    const logger = createLogger({
      destination: out.stream,
      secrets: [TOKEN],
      colour: false,
      level: 'debug',
    });
    logger.debug({ headers: { authorization: `Bearer ${TOKEN}` } }, 'request');
    logger.info({ token: TOKEN, request: { token: TOKEN } }, 'nested');
    logger.warn(`message with ${TOKEN} inline`);
    logger.error({ err: new Error(`failed with ${TOKEN}`) }, 'error object');
    logger.child({ auth: TOKEN }).info('child bindings');
    const text = out.text();
    expect(text.match(/^\[\d\d:\d\d:\d\d\.\d{3}\] /gm), text).toHaveLength(5);
    expect(text).toContain('***');
    expect(text).not.toContain(TOKEN);
  });

  test('lines below the level are dropped', () => {
    const out = collectingStream();
    const logger = createLogger({ destination: out.stream, colour: false, level: 'warn' });
    logger.debug('quiet');
    logger.info('quiet too');
    logger.warn('loud');
    expect(out.text()).toContain('WARN: loud');
    expect(out.text()).not.toContain('quiet');
  });

  test('one plain line per entry without colour, coloured by severity with it', () => {
    const plain = collectingStream();
    createLogger({ destination: plain.stream, colour: false, level: 'info' }).error('boom');
    expect(plain.text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: boom\n$/);
    expect(plain.text()).not.toMatch(ANSI);

    const coloured = collectingStream();
    createLogger({ destination: coloured.stream, colour: true, level: 'info' }).error('boom');
    expect(coloured.text()).toMatch(ANSI);
  });
});

test.describe('where a line comes from', () => {
  test('a line names the worker, the test and the phase bound to its logger, in that order', () => {
    const out = collectingStream();
    const worker = createLogger({ destination: out.stream, colour: false, level: 'info' }).child({
      worker: 3,
    });
    worker.info('sweeping');
    worker
      .child({ test: 'crud.spec.ts › a renamed user', phase: 'cleanup' })
      .warn('DELETE /users/7');
    expect(out.text().split('\n')).toEqual([
      expect.stringMatching(/^\[[\d:.]+\] INFO: \[worker 3\] sweeping$/),
      expect.stringMatching(
        /^\[[\d:.]+\] WARN: \[worker 3 · crud\.spec\.ts › a renamed user · cleanup\] DELETE \/users\/7$/,
      ),
      '',
    ]);
  });

  test('bindings of the context reach lines logged deep inside it, and only those', async () => {
    const out = collectingStream();
    const logger = createLogger({ destination: out.stream, colour: false, level: 'info' });
    const deep = async () => {
      await Promise.resolve();
      inContext(logger).info('inside');
    };
    await withLogBindings({ phase: 'cleanup' }, deep);
    inContext(logger).info('outside');
    expect(out.text()).toMatch(/INFO: \[cleanup\] inside\n.*INFO: outside\n$/);
  });
});

test.describe('useColour', () => {
  test('a terminal outside CI gets colour', () => {
    expect(useColour(stream(true), {})).toBe(true);
  });

  test('NO_COLOR turns colour off, even on a terminal', () => {
    expect(useColour(stream(true), { NO_COLOR: '1' })).toBe(false);
    expect(useColour(stream(true), { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });

  test('CI and pipes are plain', () => {
    expect(useColour(stream(true), { CI: 'true' })).toBe(false);
    expect(useColour(stream(false), {})).toBe(false);
    // Node leaves isTTY undefined on a pipe: the answer must still be a plain false.
    expect(useColour(stream(undefined), {})).toBe(false);
    expect(useColour(stream(undefined), { CI: 'true' })).toBe(false);
  });

  test('FORCE_COLOR turns colour on, unless it is 0', () => {
    expect(useColour(stream(undefined), { FORCE_COLOR: '1' })).toBe(true);
    expect(useColour(stream(undefined), { FORCE_COLOR: '0' })).toBe(false);
  });
});

test.describe('logLevelFromEnv', () => {
  test('reads LOG_LEVEL in any case', () => {
    expect(logLevelFromEnv({ LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(logLevelFromEnv({ LOG_LEVEL: ' info ' })).toBe('info');
  });

  test('falls back when LOG_LEVEL is unset or empty', () => {
    expect(logLevelFromEnv({})).toBe('warn');
    expect(logLevelFromEnv({ LOG_LEVEL: '' }, 'error')).toBe('error');
  });

  test('an unknown level names the variable, the value and the allowed levels', () => {
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'verbose' })).toThrow(
      'LOG_LEVEL="verbose" is not a level: use one of fatal, error, warn, info, debug, trace, silent',
    );
  });
});
