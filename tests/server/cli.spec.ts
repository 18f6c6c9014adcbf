import { parseCommandLine } from '../../server/cli-options';
import { defectNames } from '../../server/defects';
import { expect, test } from './server-fixture';
import { freePort, runServerCli, startServerProcess } from './server-process';

test.describe('command line', () => {
  test.describe.configure({ timeout: 60_000 });

  test('--help lists every option with its environment variable and exits 0', async () => {
    const result = await runServerCli(['--help']);
    expect(result.code).toBe(0);
    for (const text of [
      '--port',
      'MOCK_PORT',
      '--token',
      'MOCK_TOKEN',
      '--fault-503-rate',
      'MOCK_FAULT_503_RATE',
      '--fault-commit-500-rate',
      '--latency-max-ms',
      '--hang-rate',
      '--hang-ms',
      '--rate-limit-rps',
      '--read-lag-ms',
      '--idempotency MODE   (env MOCK_IDEMPOTENCY)',
      'ignore or honour; default ignore',
      '--idempotency-ttl-ms',
      '--seed',
      '--defect',
      'MOCK_DEFECT',
      '--resource SPEC[,SPEC]   (env MOCK_RESOURCE)',
      'default users,users/:userId/posts',
      'an integer from 1 to 2592000000; default 86400000 (24 h)',
      'a host name or IP; default 127.0.0.1',
      '--token T   (env MOCK_TOKEN)',
    ]) {
      expect(result.stdout).toContain(text);
    }
    for (const name of defectNames) expect(result.stdout).toContain(name);
  });

  test('a rate outside 0..1 exits 2 with one line naming the flag and the allowed values', async () => {
    const result = await runServerCli(['--fault-503-rate', '1.5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'mock-server: invalid value "1.5" for --fault-503-rate: expected a number from 0 to 1\n',
    );
    expect(result.stdout).not.toContain('listening');
  });

  test('an unknown Idempotency-Key mode exits 2 naming both modes', async () => {
    const result = await runServerCli(['--idempotency', 'always']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'mock-server: invalid value "always" for --idempotency: expected ignore or honour\n',
    );
  });

  test('a bad value in an environment variable exits 2 naming the variable', async () => {
    const result = await runServerCli([], { MOCK_PORT: 'abc' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MOCK_PORT');
    expect(result.stderr).toContain('0 to 65535');
  });

  test('an unknown defect exits 2 listing the valid names', async () => {
    const result = await runServerCli(['--defect', 'drop-field,teleport']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"teleport"');
    expect(result.stderr).toContain('create-status-200');
    expect(result.stderr).toContain('always-down');
  });

  test('a child whose parent is not declared exits 2 naming the parent', async () => {
    const result = await runServerCli(['--resource', 'products,users/:userId/posts']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'mock-server: invalid value "users/:userId/posts" for --resource: the parent "users" of "posts" must be declared as a resource of its own\n',
    );
  });

  test('an unknown flag exits 2 and points at --help', async () => {
    const result = await runServerCli(['--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--no-such-flag');
    expect(result.stderr).toContain('--help');
  });

  test('the server listens on the port it is given and serves requests', async ({ playwright }) => {
    const port = await freePort();
    const server = await startServerProcess(['--port', String(port)]);
    try {
      expect(server.listeningLine).toBe(`mock server listening on http://127.0.0.1:${port}/api/v1`);
      const request = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${port}` });
      const created = await request.post('/api/v1/users', { data: { name: 'Ann' } });
      expect(created.status()).toBe(201);
      expect((await request.get('/api/v1/users/1')).status()).toBe(200);
      await request.dispose();
    } finally {
      await server.stop();
    }
  });

  test('SIGTERM shuts the server down cleanly with exit code 0', async ({ playwright }) => {
    const server = await startServerProcess(['--log-level', 'trace'], {
      MOCK_PORT: '0',
      MOCK_TOKEN: 'never-logged-secret',
    });
    let exitCode: number | null;
    try {
      const request = await playwright.request.newContext({
        baseURL: `http://127.0.0.1:${server.port}`,
      });
      expect((await request.get('/api/v1/users')).status()).toBe(401);
      const authorised = await request.get('/api/v1/users', {
        headers: { authorization: 'Bearer never-logged-secret' },
      });
      expect(authorised.status()).toBe(200);
      await request.dispose();
    } finally {
      exitCode = await server.stop();
    }
    expect(exitCode).toBe(0);
    expect(server.output()).toContain('incoming request');
    expect(server.output()).not.toContain('never-logged-secret');
  });
});

test.describe('option sources', () => {
  test('a flag wins over its environment variable', () => {
    const parsed = parseCommandLine(['--fault-503-rate', '0.2'], { MOCK_FAULT_503_RATE: '7' });
    expect(parsed).toMatchObject({ kind: 'run', options: { fault503Rate: 0.2 } });
  });

  test('environment variables set options the flags leave out', () => {
    const parsed = parseCommandLine([], {
      MOCK_PORT: '5001',
      MOCK_READ_LAG_MS: '250',
      MOCK_DEFECT: 'drop-field, numeric-ids',
      MOCK_TOKEN: '',
    });
    expect(parsed).toMatchObject({
      kind: 'run',
      options: { port: 5001, readLagMs: 250, defects: ['drop-field', 'numeric-ids'] },
    });
    expect(parsed.kind === 'run' && parsed.options.token).toBe(undefined);
  });

  test('every mode is off by default', () => {
    const parsed = parseCommandLine([], {});
    expect(parsed).toEqual({
      kind: 'run',
      options: expect.objectContaining({
        port: 4010,
        host: '127.0.0.1',
        prefix: '/api/v1',
        logLevel: 'warn',
        fault503Rate: 0,
        faultCommit500Rate: 0,
        latencyMinMs: 0,
        latencyMaxMs: 0,
        hangRate: 0,
        rateLimitRps: 0,
        readLagMs: 0,
        idempotency: 'ignore',
        defects: [],
      }) as unknown,
    });
    expect(parsed.kind === 'run' && parsed.options.token).toBe(undefined);
  });

  test('--idempotency and MOCK_IDEMPOTENCY choose the Idempotency-Key mode', () => {
    expect(parseCommandLine(['--idempotency', 'honour'], {})).toMatchObject({
      kind: 'run',
      options: { idempotency: 'honour' },
    });
    expect(parseCommandLine([], { MOCK_IDEMPOTENCY: 'honour' })).toMatchObject({
      kind: 'run',
      options: { idempotency: 'honour' },
    });
    expect(
      parseCommandLine(['--idempotency', 'ignore'], { MOCK_IDEMPOTENCY: 'honour' }),
    ).toMatchObject({ kind: 'run', options: { idempotency: 'ignore' } });
  });

  test('by default the server serves users and users/:userId/posts', () => {
    expect(parseCommandLine([], {})).toMatchObject({
      kind: 'run',
      options: {
        resources: [
          { name: 'users', parent: undefined, parentField: undefined },
          { name: 'posts', parent: 'users', parentField: 'userId' },
        ],
      },
    });
  });

  test('--resource replaces the default list and may be repeated; MOCK_RESOURCE sets it too', () => {
    expect(
      parseCommandLine(['--resource', 'users', '--resource', 'products'], {
        MOCK_RESOURCE: 'orders',
      }),
    ).toMatchObject({
      kind: 'run',
      options: { resources: [{ name: 'users' }, { name: 'products' }] },
    });
    expect(parseCommandLine([], { MOCK_RESOURCE: 'orders, orders/:orderId/lines' })).toMatchObject({
      kind: 'run',
      options: {
        resources: [
          { name: 'orders' },
          { name: 'lines', parent: 'orders', parentField: 'orderId' },
        ],
      },
    });
  });

  test('a malformed resource names the bad item and the accepted forms', () => {
    expect(parseCommandLine(['--resource', 'users,users/posts'], {})).toEqual({
      kind: 'error',
      message:
        'invalid value "users/posts" for --resource: expected comma-separated NAME or PARENT/:parentIdField/NAME, each parent declared too',
    });
  });

  test('--defect may be repeated', () => {
    const parsed = parseCommandLine(['--defect', 'drop-field', '--defect', 'always-down'], {});
    expect(parsed).toMatchObject({ options: { defects: ['drop-field', 'always-down'] } });
  });
});
