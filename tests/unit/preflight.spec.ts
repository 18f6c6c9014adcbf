import { expect, request, test } from '@playwright/test';

import { loadEnvironment } from '../../lib/config/environment';
import {
  describeProbeFailure,
  judgeAnswer,
  PREFLIGHT_TIMEOUT_MS,
  probeEnvironment,
  type ProbeResult,
  probedCollection,
  preflight,
  preflightPolicy,
  preflightTargets,
} from '../../lib/preflight';
import { describeEmbeddedFailure } from '../../lib/preflight-embedded';
import { SUITE_RESOURCES } from '../../lib/suite-resources';
import { startEmbeddedServer } from '../../scripts/support/embedded-server';
import { type FakeAnswer, fakeRequestContext, inOrder } from './support/fake-request';

const ROOT = 'https://abc123.mockapi.io/api/v1';
const qa = loadEnvironment('qa', { QA_BASE_URL: ROOT });
const withToken = loadEnvironment('qa', { QA_BASE_URL: ROOT, QA_API_TOKEN: 'tok-5f1c9a' });

/** Probes through a fake context; the waits are recorded, not slept. */
async function probe(
  answers: FakeAnswer[],
  environment = qa,
): Promise<{ result: ProbeResult | undefined; waits: number[]; sent: number }> {
  const { context, sent } = fakeRequestContext(inOrder(...answers));
  const waits: number[] = [];
  const result = await probeEnvironment(context, environment, 'users', {
    wait: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return { result, waits, sent: sent.length };
}

/** The line a failed probe stops the run with. */
function lineFor(end: ProbeResult['end'], attempts = 1, environment = qa): string {
  const result: ProbeResult = { end, attempts, elapsedMs: 1_800 };
  return describeProbeFailure(environment, 'users', result);
}

const answer = (status: number, body: string, contentType?: string) =>
  ({ kind: 'answer', status, body, contentType }) as const;
const failure = (message: string) => ({
  kind: 'error' as const,
  message,
  outcome: { kind: 'fatal', message } as const,
});

test.describe('what counts as the API root', () => {
  test('the bare collection answering a JSON list, empty or not, is the root', () => {
    expect(judgeAnswer(answer(200, '[]', 'application/json'))).toBe('ok');
    expect(judgeAnswer(answer(200, '[{"id":"1"}]', 'application/json; charset=utf-8'))).toBe('ok');
  });

  test('an HTML page, a body that is not JSON, JSON that is not a list, or a non-2xx is not', () => {
    expect(judgeAnswer(answer(200, '<html></html>', 'text/html'))).toBe('html');
    expect(judgeAnswer(answer(200, '  <!doctype html><p>hi', undefined))).toBe('html');
    expect(judgeAnswer(answer(200, 'hello', 'text/plain'))).toBe('not-json');
    expect(judgeAnswer(answer(200, '{"data":[]}', 'application/json'))).toBe('not-a-list');
    expect(judgeAnswer(answer(404, '"Not found"', 'application/json'))).toBe('status');
  });

  test('the probed collection is the suite’s first top-level resource', () => {
    expect(probedCollection(SUITE_RESOURCES).path).toBe('users');
  });
});

test.describe('the probe', () => {
  test('one GET of the bare collection, with a short timeout, passes on a list', async () => {
    const { context, sent } = fakeRequestContext(inOrder({ status: 200, body: [] }));
    const result = await probeEnvironment(context, withToken, 'users');
    expect(result).toBeUndefined();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'GET', path: 'users', params: {} });
    // The token is the request context's (requestContextOptions), never a header of the call.
    expect(sent[0]?.headers.authorization).toBeUndefined();
    expect(sent[0]?.options.timeout).toBe(Math.min(qa.timeoutMs, PREFLIGHT_TIMEOUT_MS));
  });

  test('a 503 is retried briefly and passes when the API recovers', async () => {
    const { result, waits, sent } = await probe([
      { status: 503, body: 'busy' },
      { status: 503, body: 'busy' },
      { status: 200, body: [] },
    ]);
    expect(result).toBeUndefined();
    expect(sent).toBe(3);
    expect(waits).toEqual([250, 500]);
  });

  test('a 429 waits its Retry-After when short, and gives up at once when it is long', async () => {
    const short = await probe([
      { status: 429, body: 'slow down', headers: { 'retry-after': '2' } },
      { status: 200, body: [] },
    ]);
    expect(short.result).toBeUndefined();
    expect(short.waits).toEqual([2_000]);

    const long = await probe([{ status: 429, body: '', headers: { 'retry-after': '60' } }]);
    expect(long.sent).toBe(1);
    expect(long.result?.end).toMatchObject({ kind: 'answer', status: 429, retryAfter: '60' });
  });

  test('a 503 that persists ends after a few attempts within seconds', async () => {
    const { result, waits } = await probe([{ status: 503, body: 'busy' }]);
    expect(result?.attempts).toBe(4);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2_000);
  });

  test('a wrong root, a refused token or an HTML page is not retried', async () => {
    for (const wrong of [
      { status: 404, body: 'Not found' },
      { status: 401, body: 'Unauthorized' },
      { status: 200, body: '<html></html>', headers: { 'content-type': 'text/html' } },
    ]) {
      const { result, sent } = await probe([wrong]);
      expect(sent, `status ${wrong.status}`).toBe(1);
      expect(result?.end).toMatchObject({ kind: 'answer', status: wrong.status });
    }
  });

  test('a host that does not resolve is not retried; a refused connection is, briefly', async () => {
    const dns = await probe([
      new Error('apiRequestContext.fetch: getaddrinfo ENOTFOUND api.example.invalid'),
    ]);
    expect(dns.sent).toBe(1);
    const refused = await probe([
      new Error('apiRequestContext.fetch: connect ECONNREFUSED 127.0.0.1:1'),
    ]);
    expect(refused.sent).toBe(4);
    expect(refused.result?.end).toMatchObject({
      kind: 'error',
      outcome: { kind: 'network', code: 'ECONNREFUSED' },
    });
  });
});

test.describe('the line that stops the run', () => {
  const where = `QA_BASE_URL=${ROOT}`;
  const root = `QA_BASE_URL must be the API root that holds /users, e.g. https://<id>.mockapi.io/api/v1`;

  test('unreachable: refused, DNS, TLS, timeout', () => {
    expect(
      lineFor({
        kind: 'error',
        message: 'connect ECONNREFUSED 127.0.0.1:1',
        outcome: { kind: 'network', code: 'ECONNREFUSED' },
      }),
    ).toBe(`${where}: connection refused — is the API running? Check QA_BASE_URL.`);
    expect(
      lineFor(failure('apiRequestContext.fetch: getaddrinfo ENOTFOUND abc123.mockapi.io')),
    ).toBe(
      `${where}: host abc123.mockapi.io not found (DNS) — check the host name in QA_BASE_URL.`,
    );
    expect(
      lineFor(
        failure(
          'apiRequestContext.fetch: write EPROTO 805C:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/ssl/record/ssl3_record.c:354:',
        ),
      ),
    ).toBe(
      `${where}: TLS error (wrong version number) — check the scheme (http or https), host and port in QA_BASE_URL, and the server's certificate.`,
    );
    expect(lineFor(failure('apiRequestContext.fetch: self-signed certificate'))).toContain(
      'TLS error (self-signed certificate)',
    );
    expect(
      lineFor({ kind: 'error', message: 'Timeout 5000ms exceeded.', outcome: { kind: 'timeout' } }),
    ).toBe(`${where}: GET /users got no answer within 1.8 s — is the API up? Check QA_BASE_URL.`);
  });

  test('401 and 403 name the token variable, never the token', () => {
    expect(lineFor(answer(401, 'Unauthorized'))).toBe(
      `${where}: GET /users answered 401 — the API wants a token: set QA_API_TOKEN.`,
    );
    const refused = lineFor(answer(403, 'Forbidden'), 1, withToken);
    expect(refused).toBe(
      `${where}: GET /users answered 403 — the token was refused: check QA_API_TOKEN.`,
    );
    expect(refused).not.toContain('tok-5f1c9a');
  });

  test('a wrong root: 404, an HTML page, a body that is not JSON or not a list', () => {
    expect(lineFor(answer(404, '"Not found"', 'application/json'))).toBe(
      `${where}: GET /users answered 404 — no /users there: ${root}.`,
    );
    expect(lineFor(answer(200, '<!doctype html><title>Sign in</title>', 'text/html'))).toBe(
      `${where}: GET /users answered 200 with an HTML page, not JSON — ${root}.`,
    );
    expect(lineFor(answer(200, 'hello', 'text/plain'))).toBe(
      `${where}: GET /users answered 200 with a body that is not JSON (text/plain: hello) — ${root}.`,
    );
    expect(lineFor(answer(200, '{"data":[]}', 'application/json'))).toBe(
      `${where}: GET /users answered 200 with JSON that is not a list ({"data":[]}) — ${root}.`,
    );
  });

  test('5xx and 429 after retries say how often, and what to do', () => {
    expect(lineFor(answer(503, 'busy'), 4)).toBe(
      `${where}: GET /users answered 503 4 times in 1.8 s — the API is failing: try again later, or check QA_BASE_URL.`,
    );
    expect(lineFor({ ...answer(429, ''), retryAfter: '60' })).toBe(
      `${where}: GET /users answered 429 (rate limited, Retry-After: 60) — wait and run again, or lower QA_RATE_LIMIT_RPS.`,
    );
  });

  test('each line is one line', () => {
    const long = 'x'.repeat(5_000);
    for (const end of [answer(500, `${long}\n${long}`), failure(`boom\n${long}`)])
      expect(lineFor(end)).not.toContain('\n');
  });
});

test('every selected project with an environment is probed, the embedded ones too, each server once', () => {
  const local = loadEnvironment('local', { LOCAL_BASE_URL: 'http://127.0.0.1:4010/api/v1' });
  const faults = loadEnvironment('local', { LOCAL_BASE_URL: 'http://127.0.0.1:4011/api/v1' });
  const staging = loadEnvironment('staging', { STAGING_BASE_URL: ROOT });
  const projects = [
    { name: 'local', use: { environment: local } },
    { name: 'local-faults', use: { environment: faults } },
    { name: 'qa', use: { environment: qa } },
    { name: 'qa-again', use: { environment: qa } },
    { name: 'staging', use: { environment: staging } },
    { name: 'unit', use: {} },
  ];
  expect(preflightTargets(projects).map((t) => t.project)).toEqual([
    'local',
    'local-faults',
    'qa-again',
    'staging',
  ]);
});

test.describe('the embedded servers', () => {
  const local = loadEnvironment('local', { LOCAL_BASE_URL: 'http://127.0.0.1:4010/api/v1' });
  const withLocalToken = loadEnvironment('local', {
    LOCAL_BASE_URL: 'http://127.0.0.1:4010/api/v1',
    LOCAL_API_TOKEN: 'wrongtoken123',
  });

  test('a 503 storm as local-faults makes: the probe tries as often as the suite does', async () => {
    const policy = preflightPolicy(local);
    expect(policy.attempts).toBe(local.retry.attempts);
    expect(policy.budgetMs).toBe(5_000);
    const unavailable = Array.from({ length: 9 }, () => ({ status: 503, body: 'down' }));
    const { context, sent } = fakeRequestContext(
      inOrder(...unavailable, { status: 200, body: [] }),
    );
    const result = await probeEnvironment(context, local, 'users', {
      policy,
      wait: () => Promise.resolve(),
    });
    expect(result).toBeUndefined();
    expect(sent).toHaveLength(10);
  });

  test('a refused or missing token names LOCAL_API_TOKEN and MOCK_TOKEN, never LOCAL_BASE_URL', () => {
    const refused = { end: answer(401, '{"error":"no"}'), attempts: 1, elapsedMs: 5 };
    expect(describeEmbeddedFailure(withLocalToken, 'users', refused)).toBe(
      "the token was refused (401): LOCAL_API_TOKEN must match the embedded server's MOCK_TOKEN",
    );
    expect(describeEmbeddedFailure(local, 'users', refused)).toBe(
      'the embedded server wants a token (401): set LOCAL_API_TOKEN to its MOCK_TOKEN, or unset MOCK_TOKEN',
    );
  });

  test('local and local-faults refused alike share one line, which names no token', async () => {
    const server = await startEmbeddedServer({ flags: ['--token', 'right-token-81b2'] });
    try {
      const refused = loadEnvironment('local', {
        LOCAL_BASE_URL: server.baseUrl,
        LOCAL_API_TOKEN: 'wrongtoken123',
      });
      const error = await preflight(
        [
          { project: 'local', environment: refused },
          { project: 'local-faults', environment: refused },
        ],
        SUITE_RESOURCES,
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        "local, local-faults: the token was refused (401): LOCAL_API_TOKEN must match the embedded server's MOCK_TOKEN",
      );
    } finally {
      await server.stop();
    }
  });

  test('the probe passes through local-faults: 30 probes, every one passes despite its 503s', async () => {
    const server = await startEmbeddedServer({ faults: true });
    const context = await request.newContext({ baseURL: `${server.baseUrl}/` });
    try {
      const faults = loadEnvironment('local', { LOCAL_BASE_URL: server.baseUrl });
      let sent = 0;
      const counting = {
        fetch: (...args: Parameters<typeof context.fetch>) => {
          sent += 1;
          return context.fetch(...args);
        },
      };
      for (let probe = 0; probe < 30; probe += 1)
        expect(
          await probeEnvironment(counting, faults, 'users', { policy: preflightPolicy(faults) }),
        ).toBeUndefined();
      // Seeded: the same 503s every run, so this proves the retries were needed, not luck.
      expect(sent, 'some probes met a 503 and tried again').toBeGreaterThan(30);
    } finally {
      await context.dispose();
      await server.stop();
    }
  });
});
