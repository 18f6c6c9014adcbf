import { test as base, expect, type APIRequestContext } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import type { ServerOptionsInput } from '../../server/options';

/** The users collection, relative to a server's base URL. */
export const usersPath = '/api/v1/users';

/** A server instance listening on a loopback port of its own. */
export interface RunningServer {
  app: FastifyInstance;
  baseURL: string;
  port: number;
}

/** Starts a server on 127.0.0.1 with a free port; the caller closes `app`. */
export async function startServer(options: ServerOptionsInput = {}): Promise<RunningServer> {
  const app = buildApp({ logLevel: 'silent', ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) {
    throw new Error('server did not report a TCP address');
  }
  return { app, baseURL: `http://127.0.0.1:${address.port}`, port: address.port };
}

interface ServerFixtures {
  /** Options for this test's server; override with `test.use({ serverOptions: {...} })`. */
  serverOptions: ServerOptionsInput;
  /** A fresh server per test, so tests never share state. */
  server: RunningServer;
}

/** Playwright's `test` with a private server per test and `request` pointed at it. */
export const test = base.extend<ServerFixtures>({
  serverOptions: [{}, { option: true }],
  server: [
    async ({ serverOptions }, use) => {
      const server = await startServer(serverOptions);
      await use(server);
      await server.app.close();
    },
    { box: true },
  ],
  request: async ({ playwright, server }, use) => {
    const request: APIRequestContext = await playwright.request.newContext({
      baseURL: server.baseURL,
    });
    await use(request);
    await request.dispose();
  },
});

export { expect };
