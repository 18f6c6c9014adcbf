import { setTimeout as sleep } from 'node:timers/promises';

import { expect, test } from '@playwright/test';

import { FAST_RETRY, fakeClient, inOrder } from './support/fake-request';

test('waiting for a reconcile does not spend the retry budget; the attempt limit still ends the call', async () => {
  // Every create fails ambiguously and every reconcile takes 150 ms (reads not yet trusted), far
  // past a 100 ms budget: the call must still use all its attempts, then give up.
  const { client, sent } = fakeClient(inOrder({ status: 503, body: { error: 'busy' } }), {
    retry: { ...FAST_RETRY, attempts: 4, budgetMs: 100 },
  });
  let reconciles = 0;
  const result = await client.send({
    method: 'POST',
    path: 'users',
    body: { name: 'x' },
    reconcile: async () => {
      reconciles += 1;
      await sleep(150);
      return undefined;
    },
  });
  expect(result.status).toBe(503);
  expect(result.attempts).toBe(4);
  expect(sent).toHaveLength(4);
  expect(reconciles).toBe(4);
});
