import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { registerApiHooks, type RequestCounters } from './api-hooks';
import { Defects } from './defects';
import { RandomFaults } from './faults';
import { IdempotencyKeys } from './idempotency';
import { resolveServerOptions, type ServerOptionsInput } from './options';
import { TokenBucket } from './rate-limit';
import { RecordJson } from './record-json';
import { sendError, sendNotFound } from './replies';
import { NonJsonBody } from './request-body';
import { ResourceRepository } from './repository';
import { resourceSpec } from './resources';
import { registerControlRoutes } from './routes/control';
import { registerOpenApiRoute } from './routes/openapi';
import { registerResourceRoutes } from './routes/resource';
import { ScenarioRegistry } from './scenarios';

/** Where the control API lives: outside the API prefix, untouched by token and faults. */
export const controlPrefix = '/__control';

/**
 * Builds the embedded mockapi.io-compatible API serving the declared resources, not yet
 * listening. Tests start it on port 0; `server/main.ts` starts it from the command line.
 */
export function buildApp(input: ServerOptionsInput = {}): FastifyInstance {
  const options = resolveServerOptions(input);
  const defects = new Defects(options.defects);
  // Each resource lags on its own replica, by the same lag.
  const repositories = new Map(
    options.resources.map((resource) => [
      resource.name,
      new ResourceRepository(resource, {
        readLagMs: options.readLagMs,
        jitterMs: options.readLagJitterMs,
        tailRate: options.readLagTailRate,
        tailMs: options.readLagTailMs,
        replicas: options.readReplicas,
        seed: options.seed,
        listSemantics: options.listSemantics,
        separateReplica: defects.has('delete-never-visible'),
        reuseDeletedIds: defects.has('deleted-id-reused'),
      }),
    ]),
  );
  const counters: RequestCounters = { requests: 0, inFlight: 0, throttled: 0 };
  const scenarios = new ScenarioRegistry();

  const app = Fastify({
    logger: {
      level: options.logLevel,
      // The token is a secret even on a mock server: never let it reach a log.
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization'],
        censor: '[redacted]',
      },
    },
    bodyLimit: options.bodyLimitBytes,
    // A hanging request must not keep close() waiting for its timer.
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    // Undecodable URLs and the like get the same `{ error }` shape as everything else.
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, 400, error.message);
    },
  });

  // Clients with a session-wide `Content-Type: application/json` (the seed Python client among them)
  // send it on bodiless GETs and DELETEs too; mockapi.io accepts those, so an empty JSON body is no body.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
  app.removeContentTypeParser('text/plain');
  // Any non-JSON body is read (within the size limit) and handed to the
  // routes as a marker, so they can answer 400 naming the Content-Type.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => {
    done(null, new NonJsonBody(request.headers['content-type'] ?? '(none)'));
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'unexpected error');
      return sendError(reply, 500, 'internal server error');
    }
    return sendError(reply, status, clientErrorMessage(error, options.bodyLimitBytes));
  });

  // With a root prefix every path is the API's, and its own handler below covers them.
  if (options.prefix !== '') {
    const served = options.resources
      .map((resource) => `${options.prefix}/${resourceSpec(resource)}`)
      .join(', ');
    app.setNotFoundHandler((request, reply) =>
      sendError(
        reply,
        404,
        `no route ${request.method} ${request.url.split('?')[0] ?? ''}: the API lives under ${options.prefix} (${served})`,
      ),
    );
  }

  void app.register(
    (api, _options, done) => {
      registerApiHooks(api, {
        options,
        defects,
        faults: new RandomFaults(options),
        scenarios,
        rateLimiter: options.rateLimitRps > 0 ? new TokenBucket(options.rateLimitRps) : undefined,
        counters,
      });
      // One key store and one JSON cache for the whole server, as a SaaS would have.
      const idempotency =
        options.idempotency === 'honour'
          ? new IdempotencyKeys(options.idempotencyTtlMs)
          : undefined;
      const json = new RecordJson();
      for (const repository of repositories.values()) {
        const { parent } = repository.resource;
        registerResourceRoutes(api, {
          repository,
          parent: parent === undefined ? undefined : repositories.get(parent),
          defects,
          idempotency,
          json,
          listSemantics: options.listSemantics,
        });
      }
      // mockapi.io answers an unknown path inside a project with its usual "Not found".
      api.setNotFoundHandler((_request, reply) => sendNotFound(reply));
      done();
    },
    { prefix: options.prefix },
  );

  // A sibling of the API's plugin under the same prefix: the API's hooks (token, faults) stay out.
  void app.register(
    (document, _options, done) => {
      registerOpenApiRoute(document, options);
      done();
    },
    { prefix: options.prefix },
  );

  void app.register(
    (control, _options, done) => {
      registerControlRoutes(control, { repositories, scenarios, counters });
      done();
    },
    { prefix: controlPrefix },
  );

  app.addHook('onClose', (_instance, done) => {
    for (const repository of repositories.values()) repository.close();
    done();
  });

  return app;
}

/** Turns fastify's own 4xx errors into messages that say what to fix. */
function clientErrorMessage(error: FastifyError, bodyLimitBytes: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is larger than the ${bodyLimitBytes}-byte limit`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return `request body is not valid JSON: ${error.message}`;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'request body is empty: send a JSON object with Content-Type: application/json';
    default:
      return error.message;
  }
}
