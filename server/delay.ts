import type { FastifyReply } from 'fastify';

/**
 * Waits `ms` before the server answers, ending early if the client hangs up.
 * Resolves to false when the client went away: the caller must then stop
 * rather than process a request nobody is waiting for.
 */
export function delayAnswer(reply: FastifyReply, ms: number): Promise<boolean> {
  const response = reply.raw;
  if (clientGone(reply)) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      response.off('close', onClose);
      resolve(true);
    }, ms);
    response.once('close', onClose);
  });
}

/** Whether the connection closed before the response was written. */
export function clientGone(reply: FastifyReply): boolean {
  return reply.raw.destroyed && !reply.raw.writableFinished;
}
