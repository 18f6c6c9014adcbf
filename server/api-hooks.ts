import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasBearerToken } from './auth';
import { clientGone, delayAnswer } from './delay';
import type { Defects } from './defects';
import type { RandomFaults } from './faults';
import type { ServerOptions } from './options';
import type { TokenBucket } from './rate-limit';
import { sendError } from './replies';
import type { ScenarioFault, ScenarioRegistry } from './scenarios';

/** Header naming the scenario whose scripted faults apply to a request. */
export const scenarioHeader = 'x-mock-scenario';

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Server-wide request counters reported by the control API. */
export interface RequestCounters {
  requests: number;
  /** API requests received but not yet answered or abandoned. */
  inFlight: number;
}

/** Everything the API hooks consult. */
export interface ApiHookDependencies {
  options: ServerOptions;
  defects: Defects;
  faults: RandomFaults;
  scenarios: ScenarioRegistry;
  rateLimiter: TokenBucket | undefined;
  counters: RequestCounters;
}

/** A fault that acts after the request has been processed and committed. */
type AfterCommitFault = { kind: 'status'; status: number } | { kind: 'hang'; ms: number };

/**
 * Installs, on the API's routes only, everything that stands between a
 * request and mockapi.io's behaviour: the always-down defect, scripted
 * scenario faults, seeded random faults, the rate limit and the token check.
 * Their order is deliberate: faults that model an unreachable or overloaded
 * service come before the service looks at the request at all.
 */
export function registerApiHooks(app: FastifyInstance, dependencies: ApiHookDependencies): void {
  const { options, defects, faults, scenarios, rateLimiter, counters } = dependencies;
  const afterCommit = new WeakMap<FastifyRequest, AfterCommitFault>();

  app.addHook('onRequest', async (request, reply) => {
    counters.requests += 1;
    counters.inFlight += 1;
    reply.raw.once('close', () => {
      counters.inFlight -= 1;
    });
    if (defects.has('always-down')) {
      return sendError(reply, 503, 'service unavailable (defect always-down)');
    }

    const scenarioId = request.headers[scenarioHeader];
    if (typeof scenarioId === 'string') {
      const path = request.url.slice(options.prefix.length);
      const fault = scenarios.match(scenarioId, request.method, path);
      if (fault !== undefined) {
        const outcome = await applyBeforeProcessing(fault, request, reply);
        if (outcome === 'answered') return reply;
        if (outcome === 'after-commit') afterCommit.set(request, toAfterCommit(fault));
      }
    }

    if (faults.unavailable()) {
      return sendError(reply, 503, 'service unavailable (injected fault)');
    }
    const hangMs = faults.hangMs();
    if (hangMs > 0 && !(await delayAnswer(reply, hangMs))) return abandon(reply);
    if (rateLimiter !== undefined) {
      const decision = rateLimiter.take();
      if (!decision.allowed) {
        reply.header('retry-after', String(decision.retryAfterSeconds));
        return sendError(
          reply,
          429,
          `rate limit of ${options.rateLimitRps} requests per second exceeded`,
        );
      }
    }
    const latencyMs = faults.latencyMs();
    if (latencyMs > 0 && !(await delayAnswer(reply, latencyMs))) return abandon(reply);
    if (options.token !== undefined && !defects.has('auth-ignored')) {
      if (!hasBearerToken(request.headers.authorization, options.token)) {
        reply.header('www-authenticate', 'Bearer');
        return sendError(
          reply,
          401,
          'missing or wrong bearer token: send Authorization: Bearer <token>',
        );
      }
    }
    return undefined;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const fault = afterCommit.get(request);
    if (fault?.kind === 'hang') {
      await delayAnswer(reply, fault.ms);
      return payload;
    }
    if (fault?.kind === 'status') {
      return replaceWithError(
        reply,
        fault.status,
        'injected failure after the change was committed',
      );
    }
    const committed = reply.statusCode >= 200 && reply.statusCode < 300;
    if (writeMethods.has(request.method) && committed && faults.commitFailure()) {
      return replaceWithError(
        reply,
        500,
        'internal error (injected after the change was committed)',
      );
    }
    return payload;
  });
}

/** What a scenario fault did before processing. */
type BeforeProcessingOutcome = 'answered' | 'continue' | 'after-commit';

async function applyBeforeProcessing(
  fault: ScenarioFault,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<BeforeProcessingOutcome> {
  switch (fault.kind) {
    case 'status':
      if (fault.retryAfter !== undefined) reply.header('retry-after', fault.retryAfter);
      sendError(reply, fault.status, `injected status ${fault.status} (scenario)`);
      return 'answered';
    case 'reset':
      reply.hijack();
      request.raw.socket.destroy();
      return 'answered';
    case 'latency':
      if (await delayAnswer(reply, fault.ms)) return 'continue';
      abandon(reply);
      return 'answered';
    case 'hang':
      if (fault.commit) return 'after-commit';
      if (await delayAnswer(reply, fault.ms)) return 'continue';
      abandon(reply);
      return 'answered';
    case 'commit-then-status':
      return 'after-commit';
  }
}

function toAfterCommit(fault: ScenarioFault): AfterCommitFault {
  if (fault.kind === 'hang') return { kind: 'hang', ms: fault.ms };
  if (fault.kind === 'commit-then-status') return { kind: 'status', status: fault.status };
  throw new Error(`fault ${fault.kind} does not act after commit`);
}

/** The client hung up while we delayed: process nothing, answer nothing. */
function abandon(reply: FastifyReply): FastifyReply {
  if (!clientGone(reply)) reply.raw.destroy();
  reply.hijack();
  return reply;
}

function replaceWithError(reply: FastifyReply, status: number, message: string): string {
  reply.code(status);
  reply.header('content-type', 'application/json; charset=utf-8');
  return JSON.stringify({ error: message });
}
