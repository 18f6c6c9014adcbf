import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import AdmZip from 'adm-zip';
import { expect, test } from '@playwright/test';

import { bearerPlaceholder, grantCredential, withCredential } from '../../lib/http/credentials';
import { requestContextOptions } from '../../lib/session/request-context';
import { loadEnvironment } from '../../lib/config/environment';
import { configuredSecrets, loadDotenv, secretValue } from '../../lib/config/secrets';

/** A loopback server that answers each request with the Authorization header it received. */
async function echoServer(): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

// The first test records its own trace of the context, to read it.
test.use({ trace: 'off' });

test.describe('credentials put in as a request leaves', () => {
  test('the server receives the token; the trace and the call records only the variable name', async ({
    playwright,
  }, testInfo) => {
    const server = await echoServer();
    const token = `canary-${randomUUID()}`;
    const variable = `CREDENTIALS_SPEC_${randomUUID().slice(0, 8).toUpperCase()}_API_TOKEN`;
    process.env[variable] = token;
    try {
      const environment = loadEnvironment('qa', {
        QA_BASE_URL: `${server.origin}/api/v1`,
        QA_API_TOKEN: 'x',
      });
      const context = await playwright.request.newContext(
        requestContextOptions({ ...environment, tokenVariable: variable }),
      );
      const tracePath = testInfo.outputPath('trace.zip');
      await context.tracing.start({ snapshots: false });
      const answer = await context.get('users');
      const echoed = ((await answer.json()) as { authorization: string }).authorization;
      await context.tracing.stop({ path: tracePath });
      await context.dispose();

      expect(echoed, 'the server got the real token').toBe(`Bearer ${token}`);
      const trace = new AdmZip(tracePath)
        .getEntries()
        .filter((e) => /\.(trace|network)$/.test(e.entryName))
        .map((e) => e.getData().toString('utf8'))
        .join('\n');
      expect(trace, 'the trace recorded the request').toContain('authorization');
      expect(trace).toContain(bearerPlaceholder(variable));
      // The response body is the one place it may appear: this echo server sends it back.
      const requestSide = trace.replaceAll(
        JSON.stringify({ authorization: `Bearer ${token}` }),
        '',
      );
      expect(
        requestSide.includes(token),
        'no request header or log line of the trace holds it',
      ).toBe(false);
    } finally {
      Reflect.deleteProperty(process.env, variable);
      await server.close();
    }
  });

  test('another origin gets the placeholder, never the token', async ({ playwright }) => {
    const [granted, other] = [await echoServer(), await echoServer()];
    const variable = `CREDENTIALS_SPEC_${randomUUID().slice(0, 8).toUpperCase()}_API_TOKEN`;
    process.env[variable] = 'not-for-other-hosts';
    try {
      grantCredential(granted.origin, variable, () => process.env[variable]);
      const context = await playwright.request.newContext({
        extraHTTPHeaders: { authorization: bearerPlaceholder(variable) },
      });
      const read = async (origin: string) =>
        ((await (await context.get(`${origin}/`)).json()) as { authorization: string })
          .authorization;
      expect(await read(granted.origin)).toBe('Bearer not-for-other-hosts');
      expect(await read(other.origin)).toBe(bearerPlaceholder(variable));
      await context.dispose();
    } finally {
      Reflect.deleteProperty(process.env, variable);
      await granted.close();
      await other.close();
    }
  });

  test('a placeholder of an unset variable, or of one never granted, is left as it is', () => {
    grantCredential('http://127.0.0.1:1', 'UNSET_SPEC_API_TOKEN', () => undefined);
    const headers = { authorization: bearerPlaceholder('UNSET_SPEC_API_TOKEN') };
    expect(withCredential('http://127.0.0.1:1', headers)).toBeUndefined();
    expect(
      withCredential('http://127.0.0.1:1', { authorization: bearerPlaceholder('OTHER_API_TOKEN') }),
    ).toBeUndefined();
    expect(
      withCredential('http://127.0.0.1:1', { authorization: 'Bearer literal' }),
    ).toBeUndefined();
  });
});

test.describe('.env credentials', () => {
  test('settings from .env enter process.env; credentials stay out of it and are still sent', ({}, testInfo) => {
    const file = testInfo.outputPath('.env');
    fs.writeFileSync(
      file,
      'STAGING_BASE_URL=http://127.0.0.1:9/api/v1\nSTAGING_API_TOKEN=dotenv-canary-123\n',
    );
    try {
      loadDotenv(file);
      // Playwright's test server reports what loading the config added to process.env.
      expect(process.env.STAGING_API_TOKEN).toBeUndefined();
      expect(process.env.STAGING_BASE_URL).toBe('http://127.0.0.1:9/api/v1');
      expect(secretValue('STAGING_API_TOKEN')).toBe('dotenv-canary-123');
      expect(loadEnvironment('staging').tokenVariable).toBe('STAGING_API_TOKEN');
      expect(configuredSecrets()).toContain('dotenv-canary-123');
    } finally {
      Reflect.deleteProperty(process.env, 'STAGING_BASE_URL');
    }
  });
});
