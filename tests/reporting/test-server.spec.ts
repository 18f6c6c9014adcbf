import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import AdmZip from 'adm-zip';
import { expect, test } from '@playwright/test';
import { z } from 'zod';

import { readOutcomes } from './support/child-suite';
import { scanForSecret } from './support/secret-scan';
import { runTestServerSession } from './support/test-server-driver';

const ROOT = path.resolve('.tmp/reporting/test-server');
const healthSchema = z.object({
  endpoints: z.array(
    z.object({ endpoint: z.string(), statuses: z.record(z.string(), z.number()) }),
  ),
});
/** A reporter event of the global hooks' report, as the test server sends it. */
const reportEvent = z.object({ method: z.string(), params: z.unknown().optional() });

test('under the test server of UI mode and the IDE, no artifact or message holds the token, and a breached threshold fails the teardown', async () => {
  // A whole child session (server start, two workers, teardown) and a byte-by-byte search: slow on
  // a busy machine.
  test.setTimeout(240_000);
  // A token no other run uses, so any hit can only come from this session.
  const token = `test-server-canary-${randomUUID()}`;

  const session =
    await test.step('drive `playwright test-server` as the VS Code extension does, traces on, p95<1 ms', () =>
      runTestServerSession({ root: ROOT, token, env: { LOCAL_THRESHOLDS: '* p95<1' } }));

  await test.step('the global setup passed; the run failed on the deliberate failures only', () => {
    expect(session.setup.status, session.stdio).toBe('passed');
    expect(session.run.status).toBe('failed');
    const outcomes = readOutcomes(path.join(ROOT, 'results.json'));
    expect(outcomes.filter((o) => o.status === 'unexpected').map((o) => o.test)).toEqual([
      '[local] users-defect.fixture.ts › users deliberately wrong › a created user answers a status no server sends',
      '[local] users-defect.fixture.ts › users deliberately wrong › a name nobody set never becomes visible',
      '[local] users-defect.fixture.ts › users deliberately wrong › a user that was never created is read as if it existed',
      '[local] users-outage.fixture.ts › users while the API is down › answering 503 › a listing answered 503 until the retries run out',
      '[local] users-outage.fixture.ts › users while the API is down › resetting connections › a listing whose connection is reset every time',
    ]);
  });

  await test.step('the token reached the server: it answered 401 without it and 201 with it', () => {
    const outcomes = readOutcomes(path.join(ROOT, 'results.json'));
    expect(
      outcomes.find((o) => o.test.endsWith('a request without the token answers 401'))?.status,
    ).toBe('expected');
    const health = healthSchema.parse(
      JSON.parse(fs.readFileSync(path.join(ROOT, 'reports/api-health.json'), 'utf8')),
    );
    const created = health.endpoints.find((e) => e.endpoint === 'POST /users')?.statuses['201'];
    expect(created, 'users created with the token').toBeGreaterThanOrEqual(3);
  });

  await test.step('the traces were recorded, the Authorization header naming the variable', () => {
    const traces = fs
      .readdirSync(path.join(ROOT, 'test-results'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('trace.zip'));
    expect(
      traces.length,
      "the test server's trace: 'on' keeps a trace per test",
    ).toBeGreaterThanOrEqual(4);
    const headers = traces
      .flatMap((trace) => new AdmZip(path.join(ROOT, 'test-results', trace)).getEntries())
      .filter((entry) => entry.entryName.endsWith('.network'))
      .flatMap((entry) =>
        [
          ...entry
            .getData()
            .toString('utf8')
            .matchAll(/"name":\s*"authorization",\s*"value":\s*"([^"]*)"/gi),
        ].map((match) => match[1]),
      );
    expect(headers.length, 'authorized calls in the traces').toBeGreaterThan(0);
    expect(new Set(headers)).toEqual(new Set(['Bearer ${LOCAL_API_TOKEN}']));
  });

  await test.step('the global teardown failed and told the client which threshold was breached', () => {
    expect(session.teardown.status).toBe('failed');
    const errors = session.teardown.report
      .map((event) => reportEvent.parse(event))
      .filter((event) => event.method === 'onError')
      .map((event) => JSON.stringify(event.params));
    expect(errors.join('\n')).toContain('API gate: API thresholds breached: \\"* p95<1\\"');
    expect(session.stdio).toContain('API thresholds (local): 1 of 1 breached');
  });

  await test.step('search every artifact and every message the test server sent', async () => {
    const messages = test.info().outputPath('test-server-messages');
    fs.mkdirSync(messages, { recursive: true });
    fs.writeFileSync(path.join(messages, 'received.jsonl'), session.received.join('\n'));
    fs.writeFileSync(path.join(messages, 'stdio.txt'), session.stdio);
    fs.writeFileSync(path.join(messages, 'server-output.txt'), session.output);
    const artifacts = scanForSecret([ROOT], token);
    const sent = scanForSecret([messages], token);
    await test.info().attach('secret-scan.json', {
      body: JSON.stringify({ artifacts, sent, messages: session.received.length }, null, 2),
      contentType: 'application/json',
    });
    for (const dir of [
      'test-results',
      'playwright-report',
      'blob-report',
      'allure-results',
      'reports',
    ])
      expect(fs.existsSync(path.join(ROOT, dir)), `${dir} was produced`).toBe(true);
    expect(artifacts.files).toBeGreaterThan(50);
    expect(artifacts.nested, 'trace and blob zips were opened').toBeGreaterThan(100);
    expect.soft(artifacts.hits, 'artifacts where the token survived').toEqual([]);
    expect(session.received.length, 'report and stdio events crossed the socket').toBeGreaterThan(
      100,
    );
    expect.soft(sent.hits, 'messages to the client that hold the token').toEqual([]);
  });
});
