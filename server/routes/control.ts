import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RequestCounters } from '../api-hooks';
import { sendError } from '../replies';
import { checkObjectBody } from '../request-body';
import { scenarioDefinitionSchema, type ScenarioRegistry } from '../scenarios';
import type { UsersRepository } from '../users-repository';

/** What the control routes need. */
export interface ControlRouteDependencies {
  repository: UsersRepository;
  scenarios: ScenarioRegistry;
  counters: RequestCounters;
}

interface IdParams {
  id: string;
}

/**
 * The control API tests use to inspect the server and script faults. It sits
 * outside the API prefix, so the token and the random faults never touch it.
 */
export function registerControlRoutes(
  app: FastifyInstance,
  dependencies: ControlRouteDependencies,
): void {
  const { repository, scenarios, counters } = dependencies;

  app.get('/health', () => ({ status: 'ok' }));

  app.get('/state', () => ({
    users: repository.primary.size,
    lastId: repository.lastId,
    duplicateEmails: repository.duplicateEmails,
    requests: counters.requests,
    inFlight: counters.inFlight,
    throttled: counters.throttled,
  }));

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
