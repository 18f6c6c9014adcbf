import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { parseCommandLine } from '../../server/cli-options';
import { expect, test } from './server-fixture';

const repoRoot = path.resolve(__dirname, '../..');

/** This process's environment without MOCK_* variables, so only what a test sets applies. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('MOCK_')),
  );
  return { ...env, ...extra };
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npx tsx server/main.ts` to completion, as a user would. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'server/main.ts', ...args], {
      cwd: repoRoot,
      env: cleanEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** A port nobody is listening on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Resolves with the first stdout line matching `pattern`, or rejects if the process ends first. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((candidate) => pattern.test(candidate));
      if (line !== undefined) resolve(line);
    });
    child.on('exit', (code) => {
      reject(
        new Error(
          `server exited with ${String(code)} before printing ${String(pattern)}:\n${seen}`,
        ),
      );
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
}

test.describe('command line', () => {
  test.describe.configure({ timeout: 60_000 });

  test('--help lists every option with its environment variable and exits 0', async () => {
    const result = await runCli(['--help']);
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
      '--idempotency-ttl-ms',
      '--seed',
      '--defect',
      'MOCK_DEFECT',
      'update-not-persisted',
    ]) {
      expect(result.stdout).toContain(text);
    }
  });

  test('a rate outside 0..1 exits 2 naming the flag and the allowed values', async () => {
    const result = await runCli(['--fault-503-rate', '1.5']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--fault-503-rate');
    expect(result.stderr).toContain('from 0 to 1');
  });

  test('a bad value in an environment variable exits 2 naming the variable', async () => {
    const result = await runCli([], { MOCK_PORT: 'abc' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MOCK_PORT');
    expect(result.stderr).toContain('0 to 65535');
  });

  test('an unknown defect exits 2 listing the valid names', async () => {
    const result = await runCli(['--defect', 'drop-field,teleport']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"teleport"');
    expect(result.stderr).toContain('create-status-200');
    expect(result.stderr).toContain('always-down');
  });

  test('an unknown flag exits 2 and points at --help', async () => {
    const result = await runCli(['--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--no-such-flag');
    expect(result.stderr).toContain('--help');
  });

  test('the server starts as a child process and serves requests', async ({ playwright }) => {
    const port = await freePort();
    // Its own process group, so the whole npx → tsx → node chain can be stopped together.
    const child = spawn('npx', ['tsx', 'server/main.ts', '--port', String(port)], {
      cwd: repoRoot,
      env: cleanEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('npx did not start');
    try {
      const line = await waitForLine(child, /listening/);
      expect(line).toBe(`mock server listening on http://127.0.0.1:${port}/api/v1`);
      const request = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${port}` });
      const created = await request.post('/api/v1/users', { data: { name: 'Ann' } });
      expect(created.status()).toBe(201);
      expect((await request.get('/api/v1/users/1')).status()).toBe(200);
      await request.dispose();
    } finally {
      process.kill(-pid, 'SIGTERM');
      await exited(child);
    }
  });

  test('SIGTERM shuts the server down cleanly with exit code 0', async ({ playwright }) => {
    const port = await freePort();
    // Straight node with the tsx loader: one process, so its exit code is the server's own.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', '--log-level', 'trace'],
      {
        cwd: repoRoot,
        env: cleanEnv({ MOCK_PORT: String(port), MOCK_TOKEN: 'never-logged-secret' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForLine(child, /listening on http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);

    const request = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${port}` });
    expect((await request.get('/api/v1/users')).status()).toBe(401);
    const authorised = await request.get('/api/v1/users', {
      headers: { authorization: 'Bearer never-logged-secret' },
    });
    expect(authorised.status()).toBe(200);
    await request.dispose();

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(output).toContain('incoming request');
    expect(output).not.toContain('never-logged-secret');
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
        latencyMaxMs: 0,
        hangRate: 0,
        rateLimitRps: 0,
        readLagMs: 0,
        defects: [],
      }) as unknown,
    });
    expect(parsed.kind === 'run' && parsed.options.token).toBe(undefined);
  });

  test('--defect may be repeated', () => {
    const parsed = parseCommandLine(['--defect', 'drop-field', '--defect', 'always-down'], {});
    expect(parsed).toMatchObject({ options: { defects: ['drop-field', 'always-down'] } });
  });
});
