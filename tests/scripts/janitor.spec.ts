import { expect, test as base } from '@playwright/test';

import { loadEnvironment } from '../../lib/config/environment';
import { createLogger } from '../../lib/logging/logger';
import { type NewPost, type Post, postsResource } from '../../lib/posts/posts-resource';
import { compareIds } from '../../lib/resources/record-ids';
import type { ResourceApi } from '../../lib/resources/resource-api';
import { requestContextOptions } from '../../lib/session/request-context';
import { openSession } from '../../lib/session/session';
import { UserFactory } from '../../lib/users/user-factory';
import type { NewUser } from '../../lib/users/user-schema';
import type { UsersApi } from '../../lib/users/users-api';
import { type ChildRun, childEnv, ownLines, runNode } from '../../scripts/support/child-process';
import { type EmbeddedServer, startEmbeddedServer } from '../../scripts/support/embedded-server';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Generous: seeding and deletions wait out read lag and retries on a busy machine. */
const POLL = { timeout: 30_000 };

/** A run id made at `time`: base-36 time, then the random part in the current or the older form. */
function runIdAt(time: number, form: 'current' | 'legacy' = 'current'): string {
  return `${time.toString(36)}${form === 'current' ? 'k3x9q2m7v1z0a' : '3fa9c1'}`;
}

/** What the backend holds before the janitor runs, by what the janitor must do with it. */
interface Seeded {
  /** Marked by runs days old: the only users the janitor may delete by default. */
  old: string[];
  /** Marked by a run an hour old, which may still be running. */
  recent: string[];
  /** Marked, but the run id holds no plausible time. */
  unreadable: string[];
  /** Not the suite's: no marker, or `pwrun` in a shape the factory never writes. */
  foreign: string[];
}

interface Backend {
  server: EmbeddedServer;
  seeded: Seeded;
  /** Every id the API lists, in id order. */
  ids: () => Promise<string[]>;
  /** Users in the server's primary store, which sees every delete at once. */
  stored: () => Promise<number>;
  /** Posts in the server's primary store. */
  storedPosts: () => Promise<number>;
  /** The posts of one user. */
  posts: (userId: string) => ResourceApi<Post, NewPost>;
}

function sorted(ids: readonly string[]): string[] {
  return [...ids].sort(compareIds);
}

async function seed(users: UsersApi): Promise<Seeded> {
  const now = Date.now();
  const oldRun = runIdAt(now - 3 * DAY);
  const create = async (payloads: NewUser[]) => {
    const ids: string[] = [];
    for (const payload of payloads) ids.push((await users.create(payload)).id);
    return ids;
  };
  const plain = (email: string): NewUser => ({ name: 'Someone Else', email });
  return {
    old: await create([
      ...new UserFactory({ runId: oldRun, parallelIndex: 0 }).buildMany(3),
      ...new UserFactory({ runId: runIdAt(now - 2 * DAY, 'legacy'), parallelIndex: 1 }).buildMany(
        2,
      ),
    ]),
    recent: await create(new UserFactory({ runId: runIdAt(now - HOUR) }).buildMany(2)),
    unreadable: await create([
      plain('jane.roe+pwrun-notatime-p0-w0-1@example.com'),
      plain(`jane.roe+pwrun-${runIdAt(now + 3_650 * DAY)}-p0-w0-1@example.com`),
      plain(`jane.roe+pwrun-${runIdAt(Date.UTC(2010, 0, 1))}-p0-w0-1@example.com`),
    ]),
    foreign: await create([
      plain('other.person@example.com'),
      plain(`pwrun-${oldRun}-p0-w0-1@example.com`),
      plain(`jane.roe.pwrun-${oldRun}-p0-w0-1@example.com`),
      plain(`JANE.ROE+PWRUN-${oldRun.toUpperCase()}-P0-W0-1@EXAMPLE.COM`),
      plain(`jane.roe+pwrun-${oldRun}-px-w0-1@example.com`),
      plain(`jane.roe+pwrun-${oldRun}-p0-w0-1`),
      plain('ops@pwrun-tools.example'),
      { name: `jane.roe+pwrun-${oldRun}-p0-w0-1@example.com`, email: 'name.only@example.com' },
    ]),
  };
}

const test = base.extend<{ serverFlags: string[]; backend: Backend }>({
  serverFlags: [[], { option: true }],
  backend: async ({ serverFlags, playwright }, use) => {
    const server = await startEmbeddedServer({ flags: serverFlags });
    const environment = loadEnvironment('local', {}, { baseUrl: server.baseUrl });
    const context = await playwright.request.newContext(requestContextOptions(environment));
    try {
      const session = openSession(environment, {
        request: context,
        logger: createLogger({ level: 'silent' }),
        contract: 'none',
      });
      const { users } = session;
      const ids = async () => {
        const all: string[] = [];
        for (let page = 1; ; page += 1) {
          const batch = await users.list({ page, limit: 100 });
          all.push(...batch.map((user) => user.id));
          if (batch.length < 100) return sorted(all);
        }
      };
      const state = async () => {
        const response = await context.fetch(`${server.controlUrl}/state`);
        return (await response.json()) as {
          users: number;
          resources: { posts: { records: number } };
        };
      };
      const stored = async () => (await state()).users;
      const storedPosts = async () => (await state()).resources.posts.records;
      const posts = (userId: string) => session.api(postsResource, { userId });
      const seeded = await seed(users);
      const everyone = sorted(Object.values(seeded).flat());
      // Reads may lag writes: the janitor must see every seeded user before it runs.
      await expect.poll(ids, { message: 'every seeded user is listed', ...POLL }).toEqual(everyone);
      await use({ server, seeded, ids, stored, storedPosts, posts });
    } finally {
      await context.dispose();
      await server.stop();
    }
  },
});

/** Runs the janitor as a person would (`npm run janitor -- ...` minus npm), with nothing from the shell or `.env`. */
function runJanitor(args: string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return runNode(['--import', 'tsx', 'scripts/janitor.ts', ...args], { env: childEnv(env) });
}

/** The ids the output names after `verb`, e.g. every `deleted user 12`. */
function named(stdout: string, verb: string): string[] {
  const pattern = new RegExp(`^${verb}\\s+user (\\S+)\\s`, 'gm');
  return sorted([...stdout.matchAll(pattern)].map((match) => match[1] ?? ''));
}

/** The posts the output names after `verb`, as `<post id> of user <user id>`. */
function namedPosts(stdout: string, verb: string): string[] {
  const pattern = new RegExp(`^${verb}\\s+post (\\S+ of user \\S+)\\s`, 'gm');
  return [...stdout.matchAll(pattern)].map((match) => match[1] ?? '').sort();
}

function without(ids: readonly string[], removed: readonly string[]): string[] {
  return sorted(ids.filter((id) => !removed.includes(id)));
}

test.describe('npm run janitor', () => {
  // Each test starts Node and Playwright in a child process, and often a server: slow on a busy machine.
  test.describe.configure({ timeout: 180_000 });

  test('deletes only the marked users of runs older than 24h, and names each', async ({
    backend,
  }) => {
    const { seeded } = backend;
    const before = await backend.ids();

    const { exitCode, stdout, stderr } = await runJanitor(['--env', 'qa'], {
      QA_BASE_URL: backend.server.baseUrl,
    });

    expect(ownLines(stderr)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(named(stdout, 'deleted'), 'each deleted id is named, and only those').toEqual(
      sorted(seeded.old),
    );
    expect(named(stdout, 'left alone'), 'markers without a readable time').toEqual(
      sorted(seeded.unreadable),
    );
    expect(stdout).toContain(
      'summary: 5 deleted, 0 already gone, 0 failed; kept 2 of runs younger than 24h and 3 with an unreadable run id',
    );
    await expect
      .poll(backend.ids, { message: 'everything but the old marked users is still there', ...POLL })
      .toEqual(without(before, seeded.old));
  });

  test('deletes the marked posts of old users before the users; a user holding a post it did not mark stays', async ({
    backend,
  }) => {
    const { seeded } = backend;
    const [mine, shared] = seeded.old;
    const [recentUser] = seeded.recent;
    if (mine === undefined || shared === undefined || recentUser === undefined)
      throw new Error('the backend seeds old and recent users');
    const now = Date.now();
    const oldPosts = new UserFactory({ runId: runIdAt(now - 3 * DAY) }).for(postsResource);
    const recentPosts = new UserFactory({ runId: runIdAt(now - HOUR) }).for(postsResource);
    const create = (userId: string, payload: NewPost) => backend.posts(userId).create(payload);
    const ours = [
      await create(mine, oldPosts.build()),
      await create(mine, oldPosts.build()),
      await create(shared, oldPosts.build()),
    ];
    const theirs = await create(shared, { title: 'Holiday plans', body: 'Not a test post.' });
    const recent = await create(recentUser, recentPosts.build());
    const postIds = async (userId: string) =>
      sorted((await backend.posts(userId).list()).map((post) => post.id));
    for (const userId of [mine, shared, recentUser]) {
      const expected = sorted(
        [...ours, theirs, recent].filter((p) => p.userId === userId).map((p) => p.id),
      );
      await expect.poll(() => postIds(userId), POLL).toEqual(expected);
    }

    const { exitCode, stdout, stderr } = await runJanitor(['--env', 'qa'], {
      QA_BASE_URL: backend.server.baseUrl,
    });

    expect(ownLines(stderr)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(namedPosts(stdout, 'deleted'), 'each marked post of an old user, named').toEqual(
      ours.map((post) => `${post.id} of user ${post.userId}`).sort(),
    );
    const position = (pattern: string) => stdout.search(new RegExp(pattern, 'm'));
    for (const post of ours.filter((p) => p.userId === mine))
      expect(position(`^deleted\\s+post ${post.id} of user ${mine}\\s`)).toBeLessThan(
        position(`^deleted\\s+user ${mine}\\s`),
      );
    expect(named(stdout, 'deleted'), 'the old users, but the one holding their post').toEqual(
      without(seeded.old, [shared]),
    );
    expect(stdout).toMatch(
      new RegExp(`^left alone\\s+user ${shared}\\s.*holds 1 post the suite did not mark$`, 'm'),
    );
    expect(stdout).toContain(
      'summary: 7 deleted, 0 already gone, 0 failed; kept 2 of runs younger than 24h and 3 with an unreadable run id, and 1 holding records the suite did not mark;',
    );
    expect(await postIds(shared), 'their post stays with its user').toEqual([theirs.id]);
    expect(await postIds(recentUser), 'a recent run keeps its post').toEqual([recent.id]);
    expect(await backend.storedPosts(), 'no other post was deleted').toBe(2);
  });

  test('--dry-run names the same users and deletes nothing', async ({ backend }) => {
    const before = await backend.ids();
    const stored = await backend.stored();

    const { exitCode, stdout, stderr } = await runJanitor(['--env', 'local', '--dry-run'], {
      LOCAL_BASE_URL: backend.server.baseUrl,
    });

    expect(ownLines(stderr)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(named(stdout, 'would delete')).toEqual(sorted(backend.seeded.old));
    expect(named(stdout, 'deleted')).toEqual([]);
    expect(stdout).toContain('summary: 5 would be deleted;');
    expect(await backend.stored(), 'the server deleted nothing').toBe(stored);
    expect(await backend.ids()).toEqual(before);
  });

  test('--older-than 30m takes the recent run too, and still nothing unmarked', async ({
    backend,
  }) => {
    const { seeded } = backend;
    const before = await backend.ids();

    const { exitCode, stdout } = await runJanitor(['--env', 'qa', '--older-than', '30m'], {
      QA_BASE_URL: backend.server.baseUrl,
    });

    expect(exitCode).toBe(0);
    const expired = [...seeded.old, ...seeded.recent];
    expect(named(stdout, 'deleted')).toEqual(sorted(expired));
    await expect.poll(backend.ids, POLL).toEqual(without(before, expired));
  });

  test('against production it deletes only with PRODUCTION_ALLOW_WRITES=true', async ({
    backend,
  }) => {
    const stored = await backend.stored();
    const production = { PRODUCTION_BASE_URL: backend.server.baseUrl };

    const refused = await runJanitor(['--env', 'production'], production);
    expect(refused.exitCode).toBe(2);
    expect(refused.stdout).toBe('');
    expect(ownLines(refused.stderr)).toEqual([
      'janitor: production is read-only and the janitor deletes test data: set PRODUCTION_ALLOW_WRITES=true to allow it, or add --dry-run to only list them',
    ]);

    const listed = await runJanitor(['--env', 'production', '--dry-run'], production);
    expect(listed.exitCode).toBe(0);
    expect(named(listed.stdout, 'would delete')).toEqual(sorted(backend.seeded.old));
    expect(await backend.stored(), 'nothing was deleted').toBe(stored);

    const allowed = await runJanitor(['--env', 'production'], {
      ...production,
      PRODUCTION_ALLOW_WRITES: 'true',
    });
    expect(allowed.exitCode).toBe(0);
    expect(named(allowed.stdout, 'deleted')).toEqual(sorted(backend.seeded.old));
  });

  test.describe('when deletions do not take', () => {
    // The server answers 200 to every DELETE and keeps the record.
    test.use({ serverFlags: ['--defect', 'delete-not-persisted'] });

    test('each is reported as failed and the exit code is 1', async ({ backend }) => {
      const { exitCode, stdout } = await runJanitor(['--env', 'qa'], {
        QA_BASE_URL: backend.server.baseUrl,
        QA_POLL_TIMEOUT_MS: '500',
      });

      expect(exitCode).toBe(1);
      expect(named(stdout, 'FAILED')).toEqual(sorted(backend.seeded.old));
      expect(named(stdout, 'deleted')).toEqual([]);
      expect(stdout).toContain('summary: 0 deleted, 0 already gone, 5 failed;');
    });
  });

  test('an unconfigured environment is one line naming the variable, exit code 2', async () => {
    const { exitCode, stdout, stderr } = await runJanitor(['--env', 'staging'], {
      STAGING_BASE_URL: '',
    });
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    const [line, ...more] = ownLines(stderr);
    expect(more, stderr).toEqual([]);
    expect(line).toMatch(/^janitor: Environment "staging" is not configured: /);
    expect(line).toContain('STAGING_BASE_URL is not set');
  });

  test('a bad flag or age is one line and exit code 2; --help prints the options', async () => {
    for (const [args, message] of [
      [['--env', 'qa', '--older-than', '5x'], '--older-than 5x is not an age'],
      [['--env', 'qa', '--colour'], 'unknown option --colour'],
      [['--older-than', '6h'], '--env is required'],
      [['--env', 'dev'], '--env dev is not an environment'],
    ] as const) {
      const { exitCode, stdout, stderr } = await runJanitor([...args], { QA_BASE_URL: '' });
      expect(exitCode, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      const [line, ...more] = ownLines(stderr);
      expect(more, stderr).toEqual([]);
      expect(line).toMatch(new RegExp(`^janitor: ${message}`));
    }
    const help = await runJanitor(['--help']);
    expect(help.exitCode).toBe(0);
    for (const flag of ['--env', '--older-than', '--dry-run', '--help'])
      expect(help.stdout).toContain(flag);
  });

  test.describe('on a faulty server', () => {
    test.use({
      serverFlags: ['--fault-503-rate', '0.2', '--seed', '5', '--read-lag-ms', '200'],
    });

    test('survives 503s and read lag: still exactly the old marked users go', async ({
      backend,
    }) => {
      const { seeded } = backend;
      const before = await backend.ids();

      const { exitCode, stdout } = await runJanitor(['--env', 'qa'], {
        QA_BASE_URL: backend.server.baseUrl,
      });

      expect(exitCode).toBe(0);
      expect(named(stdout, 'deleted')).toEqual(sorted(seeded.old));
      await expect
        .poll(backend.ids, { message: 'the old marked users are gone, nothing else', ...POLL })
        .toEqual(without(before, seeded.old));
    });
  });
});
