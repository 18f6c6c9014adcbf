import { Writable } from 'node:stream';

import { expect, request, test } from '@playwright/test';

import { loadEnvironment } from '../../lib/config/environment';
import { createLogger } from '../../lib/logging/logger';
import { requestContextOptions } from '../../lib/session/request-context';
import { openSession } from '../../lib/session/session';
import { UserFactory } from '../../lib/users/user-factory';
import { startEmbeddedServer } from '../../scripts/support/embedded-server';

/** A ceiling above every lag the servers below have: the bound in force must be learned. */
const CEILING_MS = 3_000;
const RECORDS = 36;
const LANES = 6;

const silent = () =>
  createLogger({
    level: 'warn',
    destination: new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    }),
  });

/**
 * The learned read-lag bound (lib/http/read-lag.ts) against the embedded server whose lag varies:
 * a create is never sent twice, and `waitUntilDeleted` never returns while the record can still be
 * read. Every record is read again, 404 after 404, until the slowest write the server can make has
 * landed; one 200 among them would be a false "deleted". Creates are answered 500 after committing
 * at random, so the duplicate-safe create must decide with the learned bound too.
 */
test.describe('the learned read-lag bound', () => {
  test.describe.configure({ mode: 'parallel', timeout: 120_000 });

  for (const { name, flags, slowestMs } of [
    {
      name: 'jitter and a slow tail',
      flags: ['--read-lag-ms', '100', '--read-lag-jitter-ms', '200'],
      tail: true,
      slowestMs: 900,
    },
    {
      name: 'three replicas read at random (reads not monotonic)',
      flags: ['--read-lag-ms', '100', '--read-lag-jitter-ms', '400', '--read-replicas', '3'],
      tail: false,
      slowestMs: 500,
    },
  ].map((s) => ({
    ...s,
    flags: [
      ...s.flags,
      ...(s.tail ? ['--read-lag-tail-rate', '0.1', '--read-lag-tail-ms', '900'] : []),
      ...['--fault-commit-500-rate', '0.1', '--seed', '31'],
    ],
  }))) {
    test(`${name}: no duplicate create, no false "deleted"`, async () => {
      const server = await startEmbeddedServer({ flags });
      const environment = loadEnvironment('qa', {
        QA_BASE_URL: server.baseUrl,
        QA_READ_LAG_MS: String(CEILING_MS),
        QA_RATE_LIMIT_RPS: '0',
      });
      const context = await request.newContext(requestContextOptions(environment));
      try {
        const session = openSession(environment, {
          request: context,
          logger: silent(),
          contract: 'none',
          pacer: undefined,
        });
        const { users } = session;
        const factory = new UserFactory({ runId: 'lagproof' });
        const falseDeletes: string[] = [];
        let next = 0;
        const lane = async () => {
          for (let n = next++; n < RECORDS; n = next++) {
            const created = await users.create(factory.build());
            const createdAt = performance.now();
            // Every other record is read back first, as a test does; the rest only deleted.
            if (n % 2 === 0) await users.waitUntilVisible(created.id);
            await users.delete(created.id);
            await users.waitUntilDeleted(created.id);
            while (performance.now() - createdAt < slowestMs + 200) {
              const status = (await users.raw({ method: 'GET', path: created.id })).status;
              if (status !== 404) {
                falseDeletes.push(`${created.id}: ${status}`);
                break;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: LANES }, lane));

        expect(falseDeletes, 'reads that found a record after waitUntilDeleted').toEqual([]);
        const state = (await (await context.fetch(`${server.controlUrl}/state`)).json()) as {
          duplicateEmails: number;
          users: number;
        };
        expect(state).toMatchObject({ duplicateEmails: 0, users: 0 });
        // The point of the exercise: the bound in force was learned, not the ceiling.
        const bound = await users.readLagBound();
        expect(bound).toBeLessThan(CEILING_MS);
        test.info().annotations.push({ type: 'learned bound', description: `${bound} ms` });
      } finally {
        await context.dispose();
        await server.stop();
      }
    });
  }
});
