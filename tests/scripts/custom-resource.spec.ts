import { z } from 'zod';

import { loadEnvironment } from '../../lib/config/environment';
import type { CallRecord } from '../../lib/http/api-observer';
import { stepTitle } from '../../lib/reporting/call-documents';
import { defineResource } from '../../lib/resources/resource';
import { sweepMarked } from '../../lib/resources/sweep';
import { type EmbeddedServer, startEmbeddedServer } from '../../scripts/support/embedded-server';
import { expect, test as scenarioTest } from '../support/fault-scenario';

// ---- Everything a team writes to test a resource of its own (it exists only in this spec) -------
const ProductSchema = z.looseObject({
  id: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  sku: z.string(),
  name: z.string(),
  price: z.number(),
});
type Product = z.infer<typeof ProductSchema>;
interface NewProduct extends Record<string, unknown> {
  sku: string;
  name: string;
  price: number;
}
const productsResource = defineResource<Product, NewProduct>({
  name: 'product',
  path: 'products',
  schema: ProductSchema,
  uniqueField: 'sku',
  build: ({ faker, tag }) => ({
    sku: `sku-${tag}`,
    name: faker.commerce.productName(),
    price: Number(faker.commerce.price()),
  }),
});
// -----------------------------------------------------------------------------------------------

/**
 * The suite's fixtures, pointed at an embedded server of this worker that serves `products` besides
 * the defaults, ignores Idempotency-Key and lags reads by 300 ms, as a SaaS may.
 */
const test = scenarioTest.extend<{ calls: CallRecord[] }, { server: EmbeddedServer }>({
  server: [
    async ({}, use) => {
      const server = await startEmbeddedServer({
        flags: ['--resource', 'products', '--read-lag-ms', '300', '--idempotency', 'ignore'],
      });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  environment: [
    async ({ server }, use) => {
      await use(
        loadEnvironment('qa', {
          QA_BASE_URL: server.baseUrl,
          QA_RATE_LIMIT_RPS: '0',
          QA_READ_LAG_MS: '1000',
          QA_RETRY_BASE_DELAY_MS: '5',
          QA_RETRY_MAX_DELAY_MS: '100',
          QA_POLL_INTERVALS_MS: '10,25,50,100',
        }),
      );
    },
    { scope: 'worker' },
  ],
  resources: [[productsResource], { scope: 'worker' }],
  calls: async ({}, use) => {
    await use([]);
  },
  apiObservers: async ({ calls }, use) => {
    await use([{ onCall: (call) => void calls.push(call) }]);
  },
});

test.describe('a resource declared in a few lines gets every guarantee', () => {
  test('retries, exactly-once create on a backend without Idempotency-Key, polling and report steps', async ({
    api,
    factory,
    faults,
    calls,
  }) => {
    const products = api(productsResource);
    await faults.script([
      // The create commits but is answered 500, and reads lag: a blind re-send would duplicate it.
      { method: 'POST', times: 1, fault: { kind: 'commit-then-status', status: 500 } },
      { method: 'GET', times: 2, fault: { kind: 'status', status: 503 } },
    ]);
    const payload = factory.for(productsResource).build();
    const created = await products.create(payload);
    expect(created).toMatchObject(payload);
    await products.waitUntilVisible(created.id, { sku: payload.sku });
    await expect
      .poll(
        async () => (await products.findBy('sku', payload.sku)).map((p) => p.id),
        products.pollOptions(),
      )
      .toEqual([created.id]);

    const post = calls.find((c) => c.method === 'POST');
    expect(post?.reconciled, 'the create was adopted after its ambiguous failure').toBe(true);
    expect(
      calls.some((c) => c.attempts > 1),
      'some read was retried through a 503',
    ).toBe(true);
    expect(calls.map(stepTitle)).toContainEqual(
      expect.stringMatching(/^GET \/products\/\d+ → 200/),
    );
    expect(new Set(calls.map((c) => c.route))).toEqual(new Set(['products', 'products/:id']));
  });

  test('cleanup deletes what a test created, and confirms it', async ({
    api,
    factory,
    cleanup,
  }) => {
    const products = api(productsResource);
    const created = await products.create(factory.for(productsResource).build());
    expect(cleanup.pending).toEqual([`products/${created.id}`]);
    await cleanup.deleteAll();
    expect(cleanup.pending).toEqual([]);
    expect(await products.find(created.id)).toBeUndefined();
  });

  test('the sweep finds records that escaped cleanup by their marker, and nothing else', async ({
    api,
    factory,
    request,
  }) => {
    const products = api(productsResource);
    const escaped = factory.for(productsResource).build();
    const foreign = { sku: 'sku-someone-else', name: 'Not ours', price: 1 };
    // Created around the framework, so no cleanup knows them.
    const ids: string[] = [];
    for (const data of [escaped, foreign]) {
      await expect
        .poll(async () => {
          const response = await request.post('products', { data });
          if (response.status() === 201) ids.push(((await response.json()) as { id: string }).id);
          return response.status();
        })
        .toBe(201);
    }
    await products.waitUntilVisible(ids[0] ?? '');
    await products.waitUntilVisible(ids[1] ?? '');
    expect(await sweepMarked(products, factory.marker)).toEqual([`products/${ids[0] ?? ''}`]);
    await products.waitUntilDeleted(ids[0] ?? '');
    expect(await products.get(ids[1] ?? '')).toMatchObject(foreign);
    await products.delete(ids[1] ?? '');
  });
});
