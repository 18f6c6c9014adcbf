import fs from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { expect, test } from '@playwright/test';

import { childEnv, startNode } from '../../scripts/support/child-process';

const ROOT = path.resolve(__dirname, '..', '..');

/** This machine's addresses other than loopback: where a server bound to every interface answers. */
const otherAddresses = () =>
  Object.values(os.networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => !address.internal && address.family === 'IPv4')
    .map((address) => address.address);

/** Whether a TCP connection to `host:port` is accepted. */
const accepts = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.once('timeout', () => {
      done(false);
    });
  });

test.describe('npm run report:open', () => {
  test.describe.configure({ timeout: 120_000 });

  test('serves the report on 127.0.0.1 only', async () => {
    const root = path.join(ROOT, '.tmp', 'report-open');
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'allure-report'), { recursive: true });
    fs.writeFileSync(path.join(root, 'allure-report', 'index.html'), '<html>the report</html>');
    const run = startNode(['--import', 'tsx', 'scripts/report.ts', 'open', root, '--no-browser'], {
      env: childEnv(),
    });
    try {
      const [, host = '', port = '0'] = await run.waitForStdout(
        /Allure report: http:\/\/([^:/]+):(\d+)\//,
      );
      expect(host).toBe('127.0.0.1');
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(await page.text()).toContain('the report');
      for (const address of otherAddresses())
        expect(await accepts(address, Number(port)), `listening on ${address}`).toBe(false);
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
  });
});
