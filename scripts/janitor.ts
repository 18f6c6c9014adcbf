import { request } from '@playwright/test';

import { isConfigured } from '../lib/config/environment';
import { logLevelFromEnv, useColour } from '../lib/config/log-settings';
import { localBaseUrl, runSettings } from '../lib/config/run-settings';
import { ApiStatusError } from '../lib/http/api-errors';
import { createLogger } from '../lib/logging/logger';
import { requestContextOptions } from '../lib/session/request-context';
import { openSession } from '../lib/session/session';
import type { ApiRecord, Resource } from '../lib/resources/resource';
import type { ResourceApi } from '../lib/resources/resource-api';
import { RUN_MARKER_PREFIX } from '../lib/resources/run-marker';
import { childrenOf } from '../lib/resources/sweep';
import { SUITE_RESOURCES } from '../lib/suite-resources';
import { type JanitorOptions, parseCommandLine } from './janitor/cli-options';
import {
  classify,
  formatAge,
  listAll,
  markedValuePattern,
  type Verdict,
} from './janitor/leftovers';
import {
  asSetupError,
  embeddedTarget,
  environmentTarget,
  EXIT,
  oneLine,
  requireWrites,
  runCommand,
  SetupError,
} from './support/cli';

/** Where `npm run mock-server` and `npx playwright test` serve the embedded server. */
const EMBEDDED_SERVER_URL = localBaseUrl(runSettings().localPort);

const TOP_LEVEL = SUITE_RESOURCES.filter((resource) => resource.parentParams.length === 0);

/** `npm run janitor`: deletes the marked records of old, crashed runs; resolves to the exit code. */
async function janitor(options: JanitorOptions, fail: (message: string) => void): Promise<number> {
  let level;
  try {
    level = logLevelFromEnv();
  } catch (error) {
    throw new SetupError(oneLine(error));
  }
  // `local` without LOCAL_BASE_URL is the embedded server at its usual address.
  const target =
    options.environment === 'local' && !isConfigured('local')
      ? embeddedTarget(EMBEDDED_SERVER_URL)
      : environmentTarget(options.environment);
  const { environment } = target;
  if (!options.dryRun)
    requireWrites(target, 'the janitor deletes test data', ', or add --dry-run to only list them');

  const context = await request.newContext(requestContextOptions(environment));
  try {
    // Housekeeping: no contract check, which would stop it at the records a failing test left.
    const session = openSession(environment, {
      request: context,
      logger: createLogger({ level, colour: useColour() }),
      contract: 'none',
    });
    const apiOf = (resource: Resource, parents?: Record<string, string>) =>
      session.api(resource, parents);
    const nested = (resource: Resource) => {
      const children = childrenOf(resource, SUITE_RESOURCES).map((c) => c.path.split('/').at(-1));
      return children.length === 0
        ? resource.path
        : `${resource.path} (and their ${children.join(', ')})`;
    };
    const cleaner = new Cleaner(options, apiOf);
    say(
      `janitor: ${environment.name} (${environment.baseUrl}): ${TOP_LEVEL.map(nested).join(', ')} marked by runs at least ${options.olderThan} old${options.dryRun ? ' (dry run: nothing is deleted)' : ''}`,
    );
    for (const resource of TOP_LEVEL) {
      let candidates: ApiRecord[];
      try {
        candidates = await listAll(apiOf(resource), { markedOnly: true });
      } catch (error) {
        const setup = asSetupError(error, target);
        fail(setup?.message ?? `could not list the ${resource.path}: ${oneLine(error)}`);
        return setup === undefined ? EXIT.failed : EXIT.setup;
      }
      await cleaner.clean(apiOf(resource), candidates);
    }
    say(cleaner.summary());
    return cleaner.tally.failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await context.dispose();
  }
}

type ApiOf = (resource: Resource, parents?: Record<string, string>) => ResourceApi;

/** Deletes (or, on a dry run, lists) the leftovers of old runs, one line each, and counts. */
class Cleaner {
  readonly tally = {
    deleted: 0,
    gone: 0,
    failed: 0,
    wouldDelete: 0,
    recent: 0,
    unreadable: 0,
    foreign: 0,
    /** Parents kept because they hold records the suite did not mark. */
    held: 0,
  };

  constructor(
    private readonly options: JanitorOptions,
    private readonly apiOf: ApiOf,
  ) {}

  /** Sorts one resource's candidates and removes its leftovers, the oldest first. */
  async clean(api: ResourceApi, candidates: readonly ApiRecord[]): Promise<void> {
    const { resource } = api;
    const marked = markedValuePattern(resource);
    const now = Date.now();
    const verdicts = candidates.map((record) =>
      classify(record, resource.uniqueField, marked, this.options.olderThanMs, now),
    );
    const of = <K extends Verdict['kind']>(kind: K) =>
      verdicts.filter((v): v is Extract<Verdict, { kind: K }> => v.kind === kind);
    this.tally.recent += of('recent').length;
    this.tally.unreadable += of('unreadable').length;
    this.tally.foreign += of('foreign').length;
    for (const { record } of of('unreadable'))
      tell(
        'left alone',
        label(resource, record),
        valueOf(resource, record),
        'its run id holds no readable time',
      );
    for (const { record, ageMs } of of('leftover').sort((a, b) => b.ageMs - a.ageMs))
      await this.removeTree(api, record, label(resource, record), `age ${formatAge(ageMs)}`);
  }

  /**
   * Removes a record after its marked children (and theirs), so no child outlives its parent. A
   * record that also holds children the suite did not mark is left alone: on a backend that deletes
   * children with their parent, deleting it would delete someone else's data. True when the record
   * is gone (or, on a dry run, would be).
   */
  private async removeTree(
    api: ResourceApi,
    record: ApiRecord,
    name: string,
    detail: string,
  ): Promise<boolean> {
    const { resource } = api;
    const value = valueOf(resource, record);
    let childrenGone = true;
    const theirs: string[] = [];
    for (const child of childrenOf(resource, SUITE_RESOURCES)) {
      // A child's only parent id is its parent's id (`users/:userId/posts`).
      const childApi = this.apiOf(child, { [child.parentParams.at(-1) ?? '']: record.id });
      let records: ApiRecord[];
      try {
        records = await listAll(childApi);
      } catch (error) {
        this.tally.failed += 1;
        tell(
          'FAILED',
          name,
          value,
          `${detail}: could not list its ${child.path}: ${oneLine(error)}`,
        );
        return false;
      }
      const marked = markedValuePattern(child);
      const verdicts = records.map((r) => classify(r, child.uniqueField, marked, 0, Date.now()));
      const unmarked = verdicts.filter((verdict) => verdict.kind === 'foreign').length;
      if (unmarked > 0) theirs.push(`${unmarked} ${child.name}${unmarked === 1 ? '' : 's'}`);
      for (const verdict of verdicts) {
        if (verdict.kind === 'foreign') continue;
        const childRecord = verdict.record;
        const age =
          'ageMs' in verdict ? `age ${formatAge(verdict.ageMs)}` : 'run id without a time';
        const childName = `${label(child, childRecord)} of ${name}`;
        if (!(await this.removeTree(childApi, childRecord, childName, age))) childrenGone = false;
      }
    }
    if (theirs.length > 0) {
      this.tally.held += 1;
      tell(
        'left alone',
        name,
        value,
        `${detail}: holds ${theirs.join(' and ')} the suite did not mark`,
      );
      return false;
    }
    if (!childrenGone) {
      this.tally.failed += 1;
      tell('FAILED', name, value, `${detail}: kept, since not all its children could be deleted`);
      return false;
    }
    if (this.options.dryRun) {
      this.tally.wouldDelete += 1;
      tell('would delete', name, value, detail);
      return true;
    }
    try {
      // A 404 right after an ambiguous failure means our first attempt deleted it: that is ours too.
      await api.delete(record.id);
      // A 200 is not proof: deleted means reads answer 404, within the environment's consistency window.
      await api.waitUntilDeleted(record.id);
      this.tally.deleted += 1;
      tell('deleted', name, value, detail);
      return true;
    } catch (error) {
      if (error instanceof ApiStatusError && error.status === 404) {
        this.tally.gone += 1;
        tell('already gone', name, value, detail);
        return true;
      }
      this.tally.failed += 1;
      tell('FAILED', name, value, `${detail}: ${oneLine(error)}`);
      return false;
    }
  }

  summary(): string {
    const { tally, options } = this;
    const acted = options.dryRun
      ? `${tally.wouldDelete} would be deleted`
      : `${tally.deleted} deleted, ${tally.gone} already gone, ${tally.failed} failed`;
    const held =
      tally.held === 0 ? '' : `, and ${tally.held} holding records the suite did not mark`;
    return (
      `summary: ${acted}; kept ${tally.recent} of runs younger than ${options.olderThan} and ` +
      `${tally.unreadable} with an unreadable run id${held}; ${tally.foreign} other match(es) of ` +
      `"${RUN_MARKER_PREFIX}" not marked by the suite, untouched`
    );
  }
}

/** `user 5`: the resource's noun and the record's id. */
function label(resource: Resource, record: ApiRecord): string {
  return `${resource.name} ${record.id}`;
}

function valueOf(resource: Resource, record: ApiRecord): string {
  const value = record[resource.uniqueField];
  return typeof value === 'string' ? value : `(no ${resource.uniqueField})`;
}

/** One line per record: what was done, to which record, its unique field and a detail. */
function tell(verb: string, name: string, value: string, detail: string): void {
  say(`${verb.padEnd(12)} ${name}  ${value}  ${detail}`);
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

runCommand('janitor', parseCommandLine, janitor);
