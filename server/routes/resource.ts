import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Defects } from '../defects';
import { type IdempotencyKeys, payloadFingerprint } from '../idempotency';
import type { ListSemantics } from '../list-semantics';
import { parseListQuery } from '../query';
import type { RecordJson } from '../record-json';
import { sendError, sendJson, sendNotFound } from '../replies';
import type { ResourceRepository } from '../repository';
import { checkObjectBody } from '../request-body';
import type { RecordStore } from '../store';

/** What one resource's routes need. */
export interface ResourceRouteDependencies {
  repository: ResourceRepository;
  /** The parent's records, for a child resource. */
  parent: ResourceRepository | undefined;
  defects: Defects;
  /** Absent when keys are ignored, as mockapi.io does: every POST then creates. */
  idempotency: IdempotencyKeys | undefined;
  json: RecordJson;
  /** Which side list queries take where the contract is silent. */
  listSemantics: ListSemantics;
}

interface CollectionParams {
  /** Only in the nested routes of a child resource. */
  parentId?: string;
}

interface ItemParams extends CollectionParams {
  id: string;
}

/**
 * Where a request's records come from: the whole resource (`/posts`) or one parent's children
 * (`/users/1/posts`). Worked out once per route, so a request only looks up its parent.
 */
interface Scope {
  /** The records a read sees (the replica), or undefined when the parent does not exist. */
  readable(params: CollectionParams): RecordStore | undefined;
  /** The records a list sees, where the defect `children-leak-across-parents` widens them. */
  listable(params: CollectionParams): RecordStore | undefined;
  /** The records a write acts on (the primary), or undefined when the parent does not exist. */
  writable(params: CollectionParams): RecordStore | undefined;
  /** The parent id a write stores in the child, from the URL. */
  parentId(params: CollectionParams): string | undefined;
  /** The collection's path, which an Idempotency-Key is bound to. */
  path(params: CollectionParams): string;
}

/**
 * A mockapi.io resource: list, read, create, update (PUT and PATCH both merge) and delete, at
 * `/<name>`, and for a child resource also under its parent at `/<parent>/:parentId/<name>`, where
 * only that parent's children are visible and a missing parent answers 404. Reads come from the
 * replica, writes go to the primary, which is what makes the read-lag mode behave like a
 * replicated backend; a parent is looked up on the same side as the request's own records.
 */
export function registerResourceRoutes(
  app: FastifyInstance,
  dependencies: ResourceRouteDependencies,
): void {
  const { repository, parent } = dependencies;
  const { name } = repository.resource;
  registerCollection(app, `/${name}`, dependencies, {
    readable: () => repository.replica.all,
    listable: () => repository.replica.all,
    writable: () => repository.primary.all,
    parentId: () => undefined,
    path: () => `/${name}`,
  });
  if (parent === undefined) return;
  const parentName = parent.resource.name;
  const readable = ({ parentId = '' }: CollectionParams) =>
    parent.replica.all.get(parentId) === undefined
      ? undefined
      : repository.replica.children(parentId);
  const leaks = dependencies.defects.has('children-leak-across-parents');
  registerCollection(app, `/${parentName}/:parentId/${name}`, dependencies, {
    readable,
    // The defect: a parent's list holds every parent's children.
    listable: (params) =>
      leaks && readable(params) !== undefined ? repository.replica.all : readable(params),
    writable: ({ parentId = '' }) =>
      parent.primary.all.get(parentId) === undefined
        ? undefined
        : repository.primary.children(parentId),
    parentId: ({ parentId }) => parentId,
    path: ({ parentId = '' }) => `/${parentName}/${parentId}/${name}`,
  });
}

function registerCollection(
  app: FastifyInstance,
  path: string,
  dependencies: ResourceRouteDependencies,
  scope: Scope,
): void {
  const { repository, defects, idempotency, json, listSemantics } = dependencies;

  app.get<{ Params: CollectionParams }>(path, (request, reply) => {
    const records = scope.listable(request.params);
    if (records === undefined) return sendNotFound(reply);
    const query = defects.adjustListQuery(parseListQuery(asRecord(request.query), listSemantics));
    const page = defects.listPage(records, query);
    if (page.length === 0 && query.hasParameters && !defects.has('empty-query-200')) {
      return sendNotFound(reply);
    }
    // Reads are the hot path: without defects the page is the stored records' cached JSON.
    if (defects.none) return sendJson(reply, json.list(page));
    return reply.send(defects.presentList(page));
  });

  app.get<{ Params: ItemParams }>(`${path}/:id`, (request, reply) => {
    const records = scope.readable(request.params);
    const record = records?.get(request.params.id);
    if (records !== undefined && record !== undefined) {
      if (defects.none) return sendJson(reply, json.record(record));
      return reply.send(defects.presentRecord(defects.recordToRead(record, records)));
    }
    if (defects.has('missing-id-200')) return reply.send({});
    if (defects.has('missing-id-500')) return sendError(reply, 500, 'internal error');
    return sendNotFound(reply);
  });

  app.post<{ Params: CollectionParams }>(path, (request, reply) => {
    const body = checkObjectBody(request.body);
    if (!body.ok) return sendError(reply, 400, body.message);
    if (scope.writable(request.params) === undefined) return sendNotFound(reply);
    const parentId = scope.parentId(request.params);

    const key = idempotencyKey(request);
    if (idempotency === undefined || key === undefined) {
      const record = repository.create(defects.storedFields(body.fields), parentId);
      return reply.code(defects.createdStatus()).send(defects.presentRecord(record));
    }

    const fingerprint = payloadFingerprint('POST', scope.path(request.params), body.fields);
    const decision = idempotency.begin(key, fingerprint);
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
    const shown = defects.presentRecord(
      repository.create(defects.storedFields(body.fields), parentId),
    );
    idempotency.record(key, { status, body: shown });
    return reply.code(status).send(shown);
  });

  const update = (
    request: FastifyRequest<{ Params: ItemParams }>,
    reply: FastifyReply,
  ): FastifyReply => {
    const body = checkObjectBody(request.body);
    if (!body.ok) return sendError(reply, 400, body.message);
    const { id } = request.params;
    const parentId = scope.parentId(request.params);
    const fields = defects.storedFields(body.fields);
    const writable = scope.writable(request.params);
    if (writable?.get(id) === undefined) {
      // The defect: a PUT of an unknown id creates the record under that id (an upsert).
      if (writable !== undefined && request.method === 'PUT' && defects.has('put-unknown-creates'))
        return reply.send(defects.presentRecord(repository.create(fields, parentId, id)));
      return sendNotFound(reply);
    }
    const record = defects.has('update-not-persisted')
      ? repository.merged(id, fields, parentId)
      : repository.update(id, fields, parentId);
    if (record === undefined) return sendNotFound(reply);
    return reply.send(defects.presentRecord(record));
  };
  app.put<{ Params: ItemParams }>(`${path}/:id`, update);
  app.patch<{ Params: ItemParams }>(`${path}/:id`, update);

  app.delete<{ Params: ItemParams }>(`${path}/:id`, (request, reply) => {
    const { id } = request.params;
    const current = scope.writable(request.params)?.get(id);
    if (current === undefined) return sendNotFound(reply);
    const record = defects.has('delete-not-persisted')
      ? current
      : repository.remove(id, { replicate: !defects.has('delete-never-visible') });
    if (record === undefined) return sendNotFound(reply);
    return reply.send(defects.presentRecord(record));
  });
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
