import type { APIRequestContext } from '@playwright/test';

import type { EnvironmentConfig } from '../config/environment';
import { configuredSecrets } from '../config/secrets';
import type { ResponseContract } from '../http/api-call';
import { ApiClient } from '../http/api-client';
import { bearerPlaceholder } from '../http/credentials';
import type { ApiObserver } from '../http/api-observer';
import { createPacer, type Pacer } from '../http/pacer';
import { createReadLag, type ReadLag } from '../http/read-lag';
import type { Logger } from '../logging/logger';
import { CleanupRegistry } from '../resources/cleanup-registry';
import type { ApiRecord, Payload, Resource } from '../resources/resource';
import { type AnyResourceApi, ResourceApi } from '../resources/resource-api';
import { childrenOf, sweepMarked } from '../resources/sweep';
import { UsersApi } from '../users/users-api';

export interface SessionOptions {
  /** The request context every call goes through (`requestContextOptions`); its owner disposes it. */
  request: APIRequestContext;
  logger: Logger;
  /**
   * What every final answer is checked against (`environmentContract`), or `'none'`: housekeeping
   * (cleanup, the sweep, the janitor) must not stop at an answer a test has already failed on.
   */
  contract: ResponseContract | 'none';
  /** See every call: the report's steps, the run's call log, a script's table. */
  observers?: readonly ApiObserver[];
  /** Headers for every call besides the request context's own (e.g. a fault scenario's). */
  headers?: Record<string, string>;
  /**
   * Holds the calls to the environment's rate. Defaults to the run's pacer for it, shared with every
   * worker through the coordinator the global setup started (`runPacer`).
   */
  pacer?: Pacer | undefined;
  /** The run's pacing coordinator (`PW_PACER_URL`, read by lib/config), for the default pacer. */
  pacerUrl?: string | undefined;
  /**
   * The environment's learned read lag. Defaults to one learned with every worker of the run through
   * the coordinator (`runReadLag`); a worker passes its own, so its sessions share what they saw.
   */
  readLag?: ReadLag;
}

/** What a caller works with on one environment: wired once, here, for fixtures and scripts alike. */
export interface Session {
  readonly environment: EnvironmentConfig;
  /** The resilient client every API of this session shares. */
  readonly client: ApiClient;
  /** The users API; every user it creates is registered in {@link cleanup}. */
  readonly users: UsersApi;
  /** Every record this session's APIs create; `deleteAll()` deletes them through {@link housekeeping}. */
  readonly cleanup: CleanupRegistry;
  /** The same calls without contract checks, nothing registered: what cleanup and sweeps use. */
  readonly housekeeping: Session;
  /** Any declared resource's API under its parent ids; what it creates is registered in {@link cleanup}. */
  api<R extends ApiRecord, P extends Payload>(
    resource: Resource<R, P>,
    parents?: Record<string, string>,
  ): ResourceApi<R, P>;
  /**
   * Deletes every record of `resources` whose unique field carries `marker` (children first), and
   * nothing else; resolves to what it deleted as `<path>/<id>`. Fails with {@link SweepFailure}.
   */
  sweep(resources: readonly Resource[], marker: string): Promise<string[]>;
}

/** A sweep that could not finish: which collection, and why. */
export class SweepFailure extends Error {
  constructor(
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`sweep of ${path} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SweepFailure';
  }
}

/**
 * The one composition root: an environment's client (its timeout, retry policy, write guard,
 * pacing, contract, observers, the bearer placeholder in every record) and the resource APIs,
 * cleanup and sweep over it. Fixtures, the janitor, the demo, replay and the benchmarks all open
 * their sessions here; nothing else constructs a client.
 */
export function openSession(environment: EnvironmentConfig, options: SessionOptions): Session {
  const pacer = 'pacer' in options ? options.pacer : runPacer(environment, options.pacerUrl);
  const clientOf = (contract: ResponseContract | 'none') =>
    new ApiClient({
      request: options.request,
      baseUrl: environment.baseUrl,
      timeoutMs: environment.timeoutMs,
      retry: environment.retry,
      logger: options.logger,
      // A token never reaches the client (the context sends its placeholder); these mask a server's echo.
      secrets: configuredSecrets(),
      writesRefused: environment.writesRefused,
      pacer,
      contract: contract === 'none' ? undefined : contract,
      observers: options.observers ?? [],
      // The context sends it too (for direct use); here it is part of every call's record.
      headers: {
        ...(environment.tokenVariable === undefined
          ? {}
          : { authorization: bearerPlaceholder(environment.tokenVariable) }),
        ...options.headers,
      },
    });
  const readLag = options.readLag ?? runReadLag(environment, options.pacerUrl);
  const housekeeping = assemble(environment, clientOf('none'), undefined, readLag);
  return assemble(environment, clientOf(options.contract), housekeeping, readLag);
}

/** A session over `client`; registered creates are deleted through `housekeeping` (itself when undefined). */
function assemble(
  environment: EnvironmentConfig,
  client: ApiClient,
  housekeeping: Session | undefined,
  readLag: ReadLag,
): Session {
  const tracking = housekeeping !== undefined;
  const cleanup = new CleanupRegistry((made: AnyResourceApi) =>
    (housekeeping ?? session).api(made.resource, made.parents),
  );
  // Housekeeping registers nothing: what it deletes was registered by the session that made it.
  const hooks = tracking
    ? {
        onCreated: (made: AnyResourceApi, id: string) => {
          cleanup.track(made, id);
        },
        onDeleted: (made: AnyResourceApi, id: string) => {
          cleanup.confirmDeleted(made, id);
        },
      }
    : {};
  const api = <R extends ApiRecord, P extends Payload>(
    resource: Resource<R, P>,
    parents?: Record<string, string>,
  ) =>
    new ResourceApi<R, P>({
      client,
      consistency: environment.consistency,
      resource,
      parents,
      readLag,
      ...hooks,
    });
  const session: Session = {
    environment,
    client,
    users: new UsersApi({
      client,
      consistency: environment.consistency,
      readLag,
      ...hooks,
    }),
    cleanup,
    get housekeeping() {
      return housekeeping ?? session;
    },
    api,
    async sweep(resources, marker) {
      const sweeper = housekeeping ?? session;
      const swept: string[] = [];
      for (const resource of resources.filter((r) => r.parentParams.length === 0)) {
        // Children of a marked parent go first; a child's only parent id is the parent's id.
        const nested = (parent: ApiRecord) =>
          childrenOf(resource, resources).map((child) =>
            sweeper.api(child, { [child.parentParams.at(-1) ?? '']: parent.id }),
          );
        try {
          swept.push(...(await sweepMarked(sweeper.api(resource), marker, nested)));
        } catch (error) {
          throw new SweepFailure(resource.path, error);
        }
      }
      return swept;
    },
  };
  return session;
}

/**
 * The pacer for an environment's rate: shared with every worker of the run through the coordinator
 * at `coordinatorUrl` (the global setup's), or this process's own when there is none.
 */
export function runPacer(
  environment: EnvironmentConfig,
  coordinatorUrl: string | undefined,
): Pacer | undefined {
  return createPacer({
    key: `${environment.name} ${environment.baseUrl}`,
    ratePerSecond: environment.rateLimitRps,
    coordinatorUrl,
  });
}

/**
 * The read lag of an environment, learned with every worker of the run through the coordinator at
 * `coordinatorUrl` (the global setup's), or by this process alone when there is none.
 */
export function runReadLag(
  environment: EnvironmentConfig,
  coordinatorUrl: string | undefined,
): ReadLag {
  return createReadLag({
    key: `${environment.name} ${environment.baseUrl}`,
    ceilingMs: environment.consistency.readLagMs,
    coordinatorUrl,
  });
}
