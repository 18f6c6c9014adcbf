import { once } from 'node:events';
import { createServer, type Server } from 'node:net';

import { expect, test } from '@playwright/test';

import { choosePorts } from '../../lib/config/local-ports';

async function listen(port: number): Promise<Server> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const portOf = (server: Server) => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
};

test('a preferred port that is taken is swapped for a free one; a free one is kept', async () => {
  const taken = await listen(0);
  // A port the OS just handed out and took back: free now, as 4010 is on most machines.
  const probe = await listen(0);
  const free = portOf(probe);
  probe.close();
  await once(probe, 'close');
  try {
    const [forTaken, forFree] = choosePorts([portOf(taken), free]);
    expect(forTaken).not.toBe(portOf(taken));
    expect(forTaken).toBeGreaterThan(0);
    expect(forFree).toBe(free);
    // The replacement is really free: something can listen on it.
    const check = await listen(forTaken ?? 0);
    check.close();
  } finally {
    taken.close();
  }
});

test('two taken ports get two different replacements', async () => {
  const a = await listen(0);
  const b = await listen(0);
  try {
    const [x, y] = choosePorts([portOf(a), portOf(b)]);
    expect(new Set([x, y, portOf(a), portOf(b)]).size).toBe(4);
  } finally {
    a.close();
    b.close();
  }
});
