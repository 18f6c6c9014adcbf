/**
 * The practical limit of an HTTP server on this machine: `node:http` answering fixed JSON bodies
 * (one per path, from BENCH_BODIES) with the headers a JSON API sends. Run as a child process by
 * the throughput benchmark; prints `listening on <port>` once it accepts connections.
 */
import { createServer } from 'node:http';

const bodies = new Map(
  Object.entries(JSON.parse(process.env.BENCH_BODIES ?? '{}') as Record<string, string>).map(
    ([path, body]) => [path, Buffer.from(body)],
  ),
);
const notFound = Buffer.from('"Not found"');

const server = createServer((request, response) => {
  const body = bodies.get(request.url ?? '');
  response.writeHead(body === undefined ? 404 : 200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': (body ?? notFound).length,
  });
  response.end(body ?? notFound);
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address !== null) {
    process.stdout.write(`listening on ${address.port}\n`);
  }
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
