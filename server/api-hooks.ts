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

/** One screening step: true when it answered (or dropped) the request, a promise when it waits. */
type Check = (request: FastifyRequest, reply: FastifyReply) => boolean | Promise<boolean>;

/**
 * Runs the checks in order until one answers. It stays synchronous until a check actually waits,
 * so a request that meets no delay costs no promise and no extra tick.
 */
function screen(
  checks: readonly Check[],
  from: number,
  request: FastifyRequest,
  reply: FastifyReply,
): boolean | Promise<boolean> {
  for (let index = from; index < checks.length; index += 1) {
    const outcome = (checks[index] as Check)(request, reply);
    if (outcome === true) return true;
    if (outcome !== false) {
      return outcome.then((answered) => answered || screen(checks, index + 1, request, reply));
    }
  }
  return false;
}

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
  const onResponseClosed = (): void => {
    counters.inFlight -= 1;
  };

  const alwaysDown: Check = (_request, reply) => {
    sendError(reply, 503, 'service unavailable (defect always-down)');
    return true;
  };
  const scripted: Check = (request, reply) => {
    const scenarioId = request.headers[scenarioHeader];
    if (typeof scenarioId !== 'string') return false;
    const path = request.url.slice(options.prefix.length);
    const fault = scenarios.match(scenarioId, request.method, path);
    if (fault === undefined) return false;
    return applyBeforeProcessing(fault, request, reply, afterCommit);
  };
  const unavailable: Check = (_request, reply) => {
    if (!faults.unavailable()) return false;
    sendError(reply, 503, 'service unavailable (injected fault)');
    return true;
  };
  const hang: Check = (_request, reply) => {
    const hangMs = faults.hangMs();
    return hangMs > 0 && waitOrAbandon(reply, hangMs);
  };
  const rateLimited: Check = (_request, reply) => {
    const decision = rateLimiter?.take() ?? { allowed: true };
    if (decision.allowed) return false;
    counters.throttled += 1;
    reply.header('retry-after', String(decision.retryAfterSeconds));
    sendError(reply, 429, `rate limit of ${options.rateLimitRps} requests per second exceeded`);
    return true;
  };
  const latency: Check = (_request, reply) => {
    const latencyMs = faults.latencyMs();
    return latencyMs > 0 && waitOrAbandon(reply, latencyMs);
  };
  const unauthorised: Check = (request, reply) => {
    if (hasBearerToken(request.headers.authorization, options.token ?? '')) return false;
    reply.header('www-authenticate', 'Bearer');
    sendError(reply, 401, 'missing or wrong bearer token: send Authorization: Bearer <token>');
    return true;
  };

  // The one order of screening; a check whose mode is off is left out rather than asked.
  const checks: Check[] = [
    ...(defects.has('always-down') ? [alwaysDown] : []),
    scripted,
    ...(options.fault503Rate > 0 ? [unavailable] : []),
    ...(options.hangRate > 0 ? [hang] : []),
    ...(rateLimiter !== undefined ? [rateLimited] : []),
    ...(options.latencyMaxMs > 0 ? [latency] : []),
    ...(checksToken ? [unauthorised] : []),
  ];

  // Callback-style hooks: `done` is called only when the request goes on; a hook that answered
  // leaves it uncalled, as fastify expects.
  app.addHook('onRequest', (request, reply, done) => {
    counters.requests += 1;
    counters.inFlight += 1;
    reply.raw.on('close', onResponseClosed);
    const outcome = screen(checks, 0, request, reply);
    if (outcome === false) {
      done();
    } else if (outcome !== true) {
      outcome.then((answered) => {
        if (!answered) done();
      }, done);
    }
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

/**
 * Applies a scenario fault before processing: true when it answered or dropped the request, false
 * when processing goes on (a fault that acts after commit is remembered for the way out).
 */
function applyBeforeProcessing(
  fault: ScenarioFault,
  request: FastifyRequest,
  reply: FastifyReply,
  afterCommit: WeakMap<FastifyRequest, AfterCommitFault>,
): boolean | Promise<boolean> {
  switch (fault.kind) {
    case 'status':
      if (fault.retryAfter !== undefined) reply.header('retry-after', fault.retryAfter);
      sendError(reply, fault.status, `injected status ${fault.status} (scenario)`);
      return true;
    case 'reset':
      reply.hijack();
      request.raw.socket.destroy();
      return true;
    case 'latency':
      return waitOrAbandon(reply, fault.ms);
    case 'hang':
      if (!fault.commit) return waitOrAbandon(reply, fault.ms);
      afterCommit.set(request, toAfterCommit(fault));
      return false;
    case 'commit-then-status':
      afterCommit.set(request, toAfterCommit(fault));
      return false;
  }
}

/** Waits `ms` before processing; resolves true (answered) when the client hung up meanwhile. */
async function waitOrAbandon(reply: FastifyReply, ms: number): Promise<boolean> {
  return (await delayAnswer(reply, ms)) ? false : abandon(reply);
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
