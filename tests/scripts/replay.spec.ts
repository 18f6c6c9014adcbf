import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';

import { expect, test } from '@playwright/test';

import type { CallRecord } from '../../lib/http/api-observer';
import { writeReproBundle } from '../../lib/repro/repro-bundle';
import { childEnv, runNode } from '../../scripts/support/child-process';
import { type EmbeddedServer, startEmbeddedServer } from '../../scripts/support/embedded-server';

const TOKEN = 'replay-spec-token-81c2';

const call = (fields: Partial<CallRecord> & Pick<CallRecord, 'method' | 'path'>): CallRecord => ({
  route: fields.path,
  status: 200,
  startedAt: 0,
  durationMs: 5,
  attempts: 1,
  retries: [],
  reconciled: false,
  request: { url: `http://127.0.0.1:9/api/v1/${fields.path}`, headers: {}, body: undefined },
  response: { headers: {}, body: '{}' },
  error: undefined,
  ...fields,
});

/**
 * What `a deleted user answers 404` left when the server kept deleted records: the create, the
 * delete, and the read that answered 200 where the check wanted 404.
 */
function deletedUserRepro(dir: string): string {
  const user = { name: 'Ann "A" O\'Neil', email: 'ann+replay@example.com' };
  const calls = [
    call({
      method: 'POST',
      path: 'users',
      status: 201,
      request: {
        url: 'http://127.0.0.1:9/api/v1/users',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
        body: JSON.stringify(user),
      },
      response: { headers: {}, body: JSON.stringify({ ...user, id: '7' }) },
    }),
    call({ method: 'DELETE', path: 'users/7' }),
    call({
      method: 'GET',
      path: 'users/7',
      response: { headers: {}, body: JSON.stringify({ ...user, id: '7' }) },
    }),
  ];
  const refused = calls[2] as CallRecord;
  writeReproBundle(dir, {
    title: 'users CRUD › a deleted user answers 404',
    errors: ['ApiStatusError: GET /users/7 answered 200, expected 404.'],
    calls,
    baseUrl: 'http://127.0.0.1:9/api/v1',
    tokenVariable: 'LOCAL_API_TOKEN',
    refusals: new Map([[refused, { statuses: [404], reason: 'status' as const }]]),
  });
  return dir;
}

const replay = (source: string, server: EmbeddedServer) =>
  runNode(['--import', 'tsx', 'scripts/replay.ts', source, '--base-url', server.baseUrl], {
    env: childEnv({ LOCAL_API_TOKEN: TOKEN, NO_COLOR: '1' }),
    timeoutMs: 120_000,
  });

test.describe('npm run replay', () => {
  test.describe.configure({ timeout: 240_000 });

  test('exits 1 while the defect reproduces, 0 on a build without it; the curl script shows it too', async ({}, testInfo) => {
    const dir = deletedUserRepro(testInfo.outputPath('repro'));
    const flags = ['--token', TOKEN];
    const defective = await startEmbeddedServer({
      flags: [...flags, '--defect', 'delete-not-persisted'],
    });
    const faithful = await startEmbeddedServer({ flags });
    try {
      const still = await replay(dir, defective);
      expect(still.exitCode, still.output).toBe(1);
      expect(still.output).toContain('1. POST /users: same, answered 201');
      // The id the server gave this replay replaces the recorded 7.
      expect(still.output).toMatch(/3\. GET \/users\/\d+: failing, answered 200, expected 404/);
      expect(still.output).toContain('the defect still reproduces');

      const fixed = await replay(dir, faithful);
      expect(fixed.exitCode, fixed.output).toBe(0);
      expect(fixed.output).toMatch(/3\. GET \/users\/\d+: fixed, answered 404 as expected/);
      expect(fixed.output).toContain('the defect no longer reproduces');

      const { stdout } = await promisify(execFile)('bash', [`${dir}/requests.sh`], {
        env: { PATH: process.env.PATH, API_ROOT: defective.baseUrl, LOCAL_API_TOKEN: TOKEN },
      });
      const answers = stdout.split(/^HTTP\/1\.1 /m).slice(1);
      expect(answers.at(-1), 'the deleted user still reads 200 on the defective server').toMatch(
        /^200/,
      );
      for (const output of [still.output, fixed.output, stdout])
        expect(output.includes(TOKEN), 'no output holds the token').toBe(false);
      for (const file of fs.readdirSync(dir))
        expect(fs.readFileSync(`${dir}/${file}`, 'utf8')).not.toContain(TOKEN);
    } finally {
      await defective.stop();
      await faithful.stop();
    }
  });

  test('a folder without a reproduction, or a wrong token, is one line and exit code 2', async ({}, testInfo) => {
    const server = await startEmbeddedServer({ flags: ['--token', 'another-token'] });
    try {
      const empty = testInfo.outputPath('empty');
      fs.mkdirSync(empty, { recursive: true });
      const missing = await replay(empty, server);
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toContain('holds no repro.json');
      const refused = await replay(deletedUserRepro(testInfo.outputPath('repro')), server);
      expect(refused.exitCode, refused.output).toBe(2);
      expect(refused.stderr).toContain('check LOCAL_API_TOKEN');
    } finally {
      await server.stop();
    }
  });
});
