import type { HttpClient } from './inject-client';
import { defineScenario, serverState } from './api-helpers';
import { expect, test, usersPath } from './server-fixture';

interface ScenarioReport {
  requests: number;
  requestsByMethod: Record<string, number>;
  rules: { matched: number; hits: number }[];
}

async function scenarioReport(api: HttpClient, id: string): Promise<ScenarioReport> {
  const response = await api.get(`/__control/scenarios/${id}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as ScenarioReport;
}

const inScenario = (id: string) => ({ 'x-mock-scenario': id });

test.describe('scripted faults', () => {
  test('"fail the next 2 requests with 503" fails exactly two', async ({ api }) => {
    await defineScenario(api, 's', [{ times: 2, fault: { kind: 'status', status: 503 } }]);
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      statuses.push((await api.get(usersPath, { headers: inScenario('s') })).status());
    }
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  test('skip lets the first matches through before the fault applies', async ({ api }) => {
    await defineScenario(api, 's', [{ skip: 2, times: 1, fault: { kind: 'status', status: 500 } }]);
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      statuses.push((await api.get(usersPath, { headers: inScenario('s') })).status());
    }
    expect(statuses).toEqual([200, 200, 500, 200]);
  });

  test('a status fault can carry Retry-After', async ({ api }) => {
    await defineScenario(api, 's', [{ fault: { kind: 'status', status: 429, retryAfter: '2' } }]);
    const response = await api.get(usersPath, { headers: inScenario('s') });
    expect(response.status()).toBe(429);
    expect(response.headers()['retry-after']).toBe('2');
  });

  test('rules match by method and path', async ({ api }) => {
    await defineScenario(api, 's', [
      { method: 'post', path: '/users', times: 5, fault: { kind: 'status', status: 503 } },
    ]);
    const headers = inScenario('s');
    expect((await api.get(usersPath, { headers })).status()).toBe(200);
    expect((await api.post(usersPath, { headers, data: { n: 1 } })).status()).toBe(503);
    expect((await serverState(api)).users).toBe(0);
  });

  test('rules apply in order: a later rule takes over when an earlier one is used up', async ({
    api,
  }) => {
    await defineScenario(api, 's', [
      { fault: { kind: 'status', status: 503 } },
      { fault: { kind: 'status', status: 502 } },
    ]);
    const headers = inScenario('s');
    const statuses = [
      (await api.get(usersPath, { headers })).status(),
      (await api.get(usersPath, { headers })).status(),
      (await api.get(usersPath, { headers })).status(),
    ];
    expect(statuses).toEqual([503, 502, 200]);
  });

  test('counters tell how many requests the scenario received', async ({ api }) => {
    await defineScenario(api, 's', [
      { method: 'POST', times: 2, fault: { kind: 'status', status: 503 } },
    ]);
    const headers = inScenario('s');
    for (let index = 0; index < 3; index += 1) {
      await api.post(usersPath, { headers, data: { n: index } });
    }
    await api.get(usersPath, { headers });
    const report = await scenarioReport(api, 's');
    expect(report.requests).toBe(4);
    expect(report.requestsByMethod).toEqual({ POST: 3, GET: 1 });
    expect(report.rules[0]).toMatchObject({ matched: 3, hits: 2 });
  });

  test('two scenarios and unmarked requests do not disturb each other', async ({ api }) => {
    await defineScenario(api, 'a', [{ times: 3, fault: { kind: 'status', status: 503 } }]);
    await defineScenario(api, 'b', [{ times: 3, fault: { kind: 'status', status: 500 } }]);

    expect((await api.get(usersPath)).status()).toBe(200);
    expect((await api.get(usersPath, { headers: inScenario('b') })).status()).toBe(500);
    expect((await api.get(usersPath, { headers: inScenario('a') })).status()).toBe(503);
    expect((await api.get(usersPath, { headers: inScenario('other') })).status()).toBe(200);
    expect((await api.get(usersPath, { headers: inScenario('a') })).status()).toBe(503);

    expect((await scenarioReport(api, 'a')).rules[0]).toMatchObject({ hits: 2 });
    expect((await scenarioReport(api, 'b')).rules[0]).toMatchObject({ hits: 1 });
  });

  test('commit-then-status commits the write, then answers the status', async ({ api }) => {
    await defineScenario(api, 's', [
      { method: 'POST', fault: { kind: 'commit-then-status', status: 502 } },
    ]);
    const response = await api.post(usersPath, {
      headers: inScenario('s'),
      data: { name: 'Ann' },
    });
    expect(response.status()).toBe(502);
    expect(await (await api.get(`${usersPath}/1`)).json()).toMatchObject({ name: 'Ann' });
  });

  test('a hang without commit times the client out and processes nothing', async ({
    api,
    request,
  }) => {
    await defineScenario(api, 's', [{ fault: { kind: 'hang', ms: 3000 } }]);
    await expect(
      request.post(usersPath, { headers: inScenario('s'), data: { n: 1 }, timeout: 300 }),
    ).rejects.toThrow(/timeout/i);
    await expect.poll(async () => (await serverState(api)).inFlight).toBe(0);
    expect((await serverState(api)).users).toBe(0);
  });

  test('a hang with commit times the client out but the user exists', async ({ api, request }) => {
    await defineScenario(api, 's', [{ fault: { kind: 'hang', ms: 3000, commit: true } }]);
    await expect(
      request.post(usersPath, { headers: inScenario('s'), data: { n: 1 }, timeout: 300 }),
    ).rejects.toThrow(/timeout/i);
    // The client may give up before a busy server has even read the request; it commits anyway.
    await expect.poll(async () => (await serverState(api)).users).toBe(1);
  });

  test('latency delays the answer', async ({ api, request }) => {
    await defineScenario(api, 's', [{ fault: { kind: 'latency', ms: 300 } }]);
    const started = Date.now();
    expect((await request.get(usersPath, { headers: inScenario('s') })).status()).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('reset drops the connection without an answer and processes nothing', async ({
    api,
    request,
  }) => {
    await defineScenario(api, 's', [{ fault: { kind: 'reset' } }]);
    await expect(
      request.post(usersPath, { headers: inScenario('s'), data: { n: 1 } }),
    ).rejects.toThrow(/socket hang up|ECONNRESET|closed/i);
    expect((await serverState(api)).users).toBe(0);
    expect((await api.get(usersPath, { headers: inScenario('s') })).status()).toBe(200);
  });

  test('a deleted scenario no longer applies', async ({ api }) => {
    await defineScenario(api, 's', [{ times: 10, fault: { kind: 'status', status: 503 } }]);
    const removed = await api.delete('/__control/scenarios/s');
    expect(removed.status()).toBe(200);
    expect((await api.get(usersPath, { headers: inScenario('s') })).status()).toBe(200);
    expect((await api.get('/__control/scenarios/s')).status()).toBe(404);
    expect((await api.delete('/__control/scenarios/s')).status()).toBe(404);
  });

  test('redefining a scenario resets its counters', async ({ api }) => {
    await defineScenario(api, 's', [{ fault: { kind: 'status', status: 503 } }]);
    await api.get(usersPath, { headers: inScenario('s') });
    await defineScenario(api, 's', [{ fault: { kind: 'status', status: 503 } }]);
    expect(await scenarioReport(api, 's')).toMatchObject({ requests: 0 });
    expect((await api.get(usersPath, { headers: inScenario('s') })).status()).toBe(503);
  });

  test('an invalid scenario answers 400 naming the problem', async ({ api }) => {
    const cases: [unknown, string][] = [
      [{ rules: [{ fault: { kind: 'explode' } }] }, 'kind'],
      [{ rules: [{ fault: { kind: 'status' } }] }, 'status'],
      [{ rules: [{ times: 0, fault: { kind: 'reset' } }] }, 'times'],
      [{ rules: [{ fault: { kind: 'reset' }, tims: 2 }] }, 'tims'],
      [{ rule: [] }, 'rule'],
      [[1, 2], 'JSON object'],
    ];
    for (const [data, mention] of cases) {
      const response = await api.put('/__control/scenarios/s', { data });
      expect(response.status(), JSON.stringify(data)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(mention);
    }
  });
});

test.describe('the control API under faults and a token', () => {
  test.use({ serverOptions: { token: 't', fault503Rate: 1 } });

  test('is reachable without a token and never faulted', async ({ api }) => {
    expect((await api.get('/__control/health')).status()).toBe(200);
    expect((await api.get('/__control/state')).status()).toBe(200);
    expect((await api.put('/__control/scenarios/x', { data: { rules: [] } })).status()).toBe(200);
    expect((await api.get(usersPath)).status()).toBe(503);
  });
});
