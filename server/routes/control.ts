import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RequestCounters } from '../api-hooks';
import { sendError } from '../replies';
import { checkObjectBody } from '../request-body';
import { scenarioDefinitionSchema, type ScenarioRegistry } from '../scenarios';
import type { ResourceRepository, ResourceState } from '../repository';

/** What the control routes need. */
export interface ControlRouteDependencies {
  /** Every served resource by name, in declaration order. */
  repositories: ReadonlyMap<string, ResourceRepository>;
  scenarios: ScenarioRegistry;
  counters: RequestCounters;
}

interface IdParams {
  id: string;
}

/** What `users` reports when the server does not serve it. */
const noResource: ResourceState = { records: 0, lastId: null, duplicateEmails: 0 };

/**
 * The control API tests use to inspect the server and script faults. It sits
 * outside the API prefix, so the token and the random faults never touch it.
 */
export function registerControlRoutes(
  app: FastifyInstance,
  dependencies: ControlRouteDependencies,
): void {
  const { repositories, scenarios, counters } = dependencies;

  app.get('/health', () => ({ status: 'ok' }));

  // The top-level users fields predate other resources; scripts and the suite read them.
  app.get('/state', () => {
    const users = repositories.get('users')?.state() ?? noResource;
    return {
      users: users.records,
      lastId: users.lastId,
      duplicateEmails: users.duplicateEmails,
      requests: counters.requests,
      inFlight: counters.inFlight,
      throttled: counters.throttled,
      resources: Object.fromEntries(
        [...repositories].map(([name, repository]) => [name, repository.state()]),
      ),
    };
  });

  app.put<{ Params: IdParams }>('/scenarios/:id', (request, reply) => {
    const body = checkObjectBody(request.body);
    if (!body.ok) return sendError(reply, 400, `invalid scenario: ${body.message}`);
    const parsed = scenarioDefinitionSchema.safeParse(body.fields);
    if (!parsed.success) {
      return sendError(reply, 400, `invalid scenario: ${z.prettifyError(parsed.error)}`);
    }
    return reply.send(scenarios.define(request.params.id, parsed.data));
  });

  app.get<{ Params: IdParams }>('/scenarios/:id', (request, reply) => {
    const scenario = scenarios.get(request.params.id);
    if (scenario === undefined) return sendError(reply, 404, `no scenario "${request.params.id}"`);
    return reply.send(scenario);
  });

  app.delete<{ Params: IdParams }>('/scenarios/:id', (request, reply) => {
    const scenario = scenarios.remove(request.params.id);
    if (scenario === undefined) return sendError(reply, 404, `no scenario "${request.params.id}"`);
    return reply.send(scenario);
  });
}
