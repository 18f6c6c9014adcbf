import { test as base, expect, type APIRequestContext } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app';
import type { ServerOptionsInput } from '../../server/options';
import { InjectClient } from './inject-client';

/** The users collection, relative to a server's base URL. */
export const usersPath = '/api/v1/users';

/** The posts collection at the top level, where every post is visible. */
export const postsPath = '/api/v1/posts';

/** The posts of one user, the default child resource. */
export function userPostsPath(userId: string): string {
  return `${usersPath}/${userId}/posts`;
}

/** A server instance listening on a loopback port of its own. */
export interface RunningServer {
  app: FastifyInstance;
  baseURL: string;
  port: number;
}

/** Starts a server on 127.0.0.1 with a free port; the caller closes `app`. */
export async function startServer(options: ServerOptionsInput = {}): Promise<RunningServer> {
  const app = buildApp({ logLevel: 'silent', ...options });
  return { app, ...(await listen(app)) };
}

async function listen(app: FastifyInstance): Promise<{ baseURL: string; port: number }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) {
    throw new Error('server did not report a TCP address');
  }
  return { baseURL: `http://127.0.0.1:${address.port}`, port: address.port };
}

interface ServerFixtures {
  /** Options for this test's server; override with `test.use({ serverOptions: {...} })`. */
  serverOptions: ServerOptionsInput;
  /** A fresh server per test, built but not listening, so tests never share state. */
  app: FastifyInstance;
  /** The test's server through fastify's inject(): no socket, no port. */
  api: InjectClient;
  /** The same server listening on a loopback port, for tests that need a real socket. */
  server: RunningServer;
}

/**
 * Playwright's `test` with a private server per test: `api` reaches it without a socket;
 * `request` (over a socket) is pointed at it for timeouts, dropped connections and raw bytes.
 */
export const test = base.extend<ServerFixtures>({
  serverOptions: [{}, { option: true }],
  app: [
    async ({ serverOptions }, use) => {
      const app = buildApp({ logLevel: 'silent', ...serverOptions });
      await use(app);
      await app.close();
    },
    { box: true },
  ],
  api: [
    async ({ app }, use) => {
      await use(new InjectClient(app));
    },
    { box: true },
  ],
  server: [
    async ({ app }, use) => {
      await use({ app, ...(await listen(app)) });
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
