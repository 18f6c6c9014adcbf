import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Defects } from '../defects';
import { type IdempotencyKeys, payloadFingerprint } from '../idempotency';
import { parseListQuery, runListQuery } from '../query';
import type { RecordJson } from '../record-json';
import { sendError, sendJson, sendNotFound } from '../replies';
import { checkObjectBody } from '../request-body';
import type { UserRecord } from '../store';
import type { UsersRepository } from '../users-repository';

/** What the users routes need. */
export interface UserRouteDependencies {
  repository: UsersRepository;
  defects: Defects;
  /** Absent when keys are ignored, as mockapi.io does: every POST then creates. */
  idempotency: IdempotencyKeys | undefined;
  json: RecordJson;
}

interface IdParams {
  id: string;
}

/**
 * The mockapi.io `users` resource: list, read, create, update (PUT and PATCH
 * both merge) and delete. Reads come from the replica, writes go to the
 * primary, which is what makes the read-lag mode behave like a replicated
 * backend.
 */
export function registerUserRoutes(
  app: FastifyInstance,
  dependencies: UserRouteDependencies,
): void {
  const { repository, defects, idempotency, json } = dependencies;

  app.get('/users', (request, reply) => {
    const query = defects.adjustListQuery(parseListQuery(asRecord(request.query)));
    const records = runListQuery(repository.replica, query);
    if (records.length === 0 && query.hasParameters && !defects.has('empty-query-200')) {
      return sendNotFound(reply);
    }
    // Reads are the hot path: without defects the page is the stored records' cached JSON.
    if (defects.none) return sendJson(reply, json.list(records));
    return reply.send(defects.presentList(records));
  });

  app.get<{ Params: IdParams }>('/users/:id', (request, reply) => {
    const record = repository.replica.get(request.params.id);
    if (record !== undefined) {
      if (defects.none) return sendJson(reply, json.record(record));
      return reply.send(defects.presentRecord(defects.recordToRead(record, repository.replica)));
    }
    if (defects.has('missing-id-200')) return reply.send({});
    if (defects.has('missing-id-500')) return sendError(reply, 500, 'internal error');
    return sendNotFound(reply);
  });

  app.post('/users', (request, reply) => {
    const body = checkObjectBody(request.body);
    if (!body.ok) return sendError(reply, 400, body.message);

    const key = idempotencyKey(request);
    if (idempotency === undefined || key === undefined) {
      return sendCreated(reply, repository.create(body.fields));
    }

    const decision = idempotency.begin(key, payloadFingerprint('POST', '/users', body.fields));
    switch (decision.kind) {
      case 'replay':
        reply.header('idempotent-replayed', 'true');
        return reply.code(decision.response.status).send(decision.response.body);
      case 'in-flight':
        return sendError(
          reply,
          409,
          `a request with Idempotency-Key "${key}" is still being processed; retry later`,
        );
      case 'mismatch':
        return sendError(
          reply,
          422,
          `Idempotency-Key "${key}" was already used with a different request body`,
        );
      case 'proceed':
        break;
    }
    // The key stays reserved until the response is out (or the client hangs up).
    reply.raw.once('close', () => {
      idempotency.finish(key);
    });
    const status = defects.createdStatus();
    const shown = defects.presentRecord(repository.create(body.fields));
    idempotency.record(key, { status, body: shown });
    return reply.code(status).send(shown);
  });

  const update = (
    request: FastifyRequest<{ Params: IdParams }>,
    reply: FastifyReply,
  ): FastifyReply => {
    const body = checkObjectBody(request.body);
    if (!body.ok) return sendError(reply, 400, body.message);
    const { id } = request.params;
    const record = defects.has('update-not-persisted')
      ? repository.merged(id, body.fields)
      : repository.update(id, body.fields);
    if (record === undefined) return sendNotFound(reply);
    return reply.send(defects.presentRecord(record));
  };
  app.put<{ Params: IdParams }>('/users/:id', update);
  app.patch<{ Params: IdParams }>('/users/:id', update);

  app.delete<{ Params: IdParams }>('/users/:id', (request, reply) => {
    const { id } = request.params;
    const record: UserRecord | undefined = defects.has('delete-not-persisted')
      ? repository.primary.get(id)
      : repository.remove(id, { replicate: !defects.has('delete-never-visible') });
    if (record === undefined) return sendNotFound(reply);
    return reply.send(defects.presentRecord(record));
  });

  function sendCreated(reply: FastifyReply, record: UserRecord): FastifyReply {
    return reply.code(defects.createdStatus()).send(defects.presentRecord(record));
  }

  function idempotencyKey(request: FastifyRequest): string | undefined {
    const header = request.headers['idempotency-key'];
    return typeof header === 'string' && header !== '' ? header : undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
