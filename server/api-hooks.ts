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
  /** API requests answered 429 by the rate limit. */
  throttled: number;
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
 * scenario faults, seeded random faults, the rate limit and the token check,
 * and, on the way out, faults after commit and the wrong-content-type defect.
 * Their order is deliberate: faults that model an unreachable or overloaded
 * service come before the service looks at the request at all.
 */
export function registerApiHooks(app: FastifyInstance, dependencies: ApiHookDependencies): void {
  const { options, defects, faults, scenarios, rateLimiter, counters } = dependencies;
  const afterCommit = new WeakMap<FastifyRequest, AfterCommitFault>();
  const checksToken = options.token !== undefined && !defects.has('auth-ignored');
  // Without these modes no request ever waits, so a request without a scenario is screened
  // synchronously: no promise and no extra tick on the common path.
  const mayDelay = options.hangRate > 0 || options.latencyMaxMs > 0;
  const onResponseClosed = (): void => {
    counters.inFlight -= 1;
  };

  // Each check answers the request and returns true when it stops it.
  const alwaysDown = (reply: FastifyReply): boolean => {
    if (!defects.has('always-down')) return false;
    sendError(reply, 503, 'service unavailable (defect always-down)');
    return true;
  };
  const unavailable = (reply: FastifyReply): boolean => {
    if (!faults.unavailable()) return false;
    sendError(reply, 503, 'service unavailable (injected fault)');
    return true;
  };
  const rateLimited = (reply: FastifyReply): boolean => {
    if (rateLimiter === undefined) return false;
    const decision = rateLimiter.take();
    if (decision.allowed) return false;
    counters.throttled += 1;
    reply.header('retry-after', String(decision.retryAfterSeconds));
    sendError(reply, 429, `rate limit of ${options.rateLimitRps} requests per second exceeded`);
    return true;
  };
  const unauthorised = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (!checksToken || hasBearerToken(request.headers.authorization, options.token ?? '')) {
      return false;
    }
    reply.header('www-authenticate', 'Bearer');
    sendError(reply, 401, 'missing or wrong bearer token: send Authorization: Bearer <token>');
    return true;
  };

  /** The full screening, in order, for requests that may have to wait; true when answered. */
  const screenWithDelays = async (request: FastifyRequest, reply: FastifyReply) => {
    if (alwaysDown(reply)) return true;
    const scenarioId = request.headers[scenarioHeader];
    if (typeof scenarioId === 'string') {
      const path = request.url.slice(options.prefix.length);
      const fault = scenarios.match(scenarioId, request.method, path);
      if (fault !== undefined) {
        const outcome = await applyBeforeProcessing(fault, request, reply);
        if (outcome === 'answered') return true;
        if (outcome === 'after-commit') afterCommit.set(request, toAfterCommit(fault));
      }
    }
    if (unavailable(reply)) return true;
    const hangMs = faults.hangMs();
    if (hangMs > 0 && !(await delayAnswer(reply, hangMs))) return abandon(reply);
    if (rateLimited(reply)) return true;
    const latencyMs = faults.latencyMs();
    if (latencyMs > 0 && !(await delayAnswer(reply, latencyMs))) return abandon(reply);
    return unauthorised(request, reply);
  };

  // Callback-style hooks: `done` is called only when the request goes on; a hook that answered
  // leaves it uncalled, as fastify expects.
  app.addHook('onRequest', (request, reply, done) => {
    counters.requests += 1;
    counters.inFlight += 1;
    reply.raw.on('close', onResponseClosed);
    if (mayDelay || request.headers[scenarioHeader] !== undefined) {
      screenWithDelays(request, reply).then((answered) => {
        if (!answered) done();
      }, done);
      return;
    }
    // The same checks in the same order, minus the ones that cannot fire here.
    if (alwaysDown(reply) || unavailable(reply) || rateLimited(reply)) return;
    if (unauthorised(request, reply)) return;
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const fault = afterCommit.get(request);
    if (fault?.kind === 'hang') {
      void delayAnswer(reply, fault.ms).then(() => {
        done(null, payload);
      });
      return;
    }
    if (fault?.kind === 'status') {
      done(
        null,
        replaceWithError(reply, fault.status, 'injected failure after the change was committed'),
      );
      return;
    }
    const committed = reply.statusCode >= 200 && reply.statusCode < 300;
    if (writeMethods.has(request.method) && committed && faults.commitFailure()) {
      done(
        null,
        replaceWithError(reply, 500, 'internal error (injected after the change was committed)'),
      );
      return;
    }
    done(null, payload);
  });

  // Registered last, so it sees the Content-Type every other hook settled on.
  if (defects.has('wrong-content-type')) {
    app.addHook('onSend', (_request, reply, payload, done) => {
      const sent = reply.getHeader('content-type');
      if (typeof sent === 'string') reply.header('content-type', defects.contentType(sent));
      done(null, payload);
    });
  }
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

/** The client hung up while we delayed: process nothing, answer nothing (the request is settled). */
function abandon(reply: FastifyReply): true {
  if (!clientGone(reply)) reply.raw.destroy();
  reply.hijack();
  return true;
}

function replaceWithError(reply: FastifyReply, status: number, message: string): string {
  reply.code(status);
  reply.header('content-type', 'application/json; charset=utf-8');
  return JSON.stringify({ error: message });
}
