import type { FastifyReply } from 'fastify';

/** mockapi.io answers a missing record or an empty query with this JSON string. */
export function sendNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('application/json; charset=utf-8').send(JSON.stringify('Not found'));
}

/** Answers `{ "error": message }`, the shape of every error this server invents. */
export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: message });
}

/** Answers 200 with JSON text that is already serialised, with the headers `send(object)` gives. */
export function sendJson(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}
