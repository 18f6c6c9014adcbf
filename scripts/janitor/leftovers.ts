import { RUN_MARKER_PREFIX, runIdTime } from '../../lib/resources/run-marker';
import type { User } from '../../lib/users/user-schema';
import type { UsersApi } from '../../lib/users/users-api';

/**
 * An email the factory built: `<local>+pwrun-<runId>-p<n>-<rest>@<domain>`, in lower case as the
 * factory writes it. The API's filter is a case-insensitive substring match, so this is what
 * decides; anything it does not match is someone else's.
 */
const MARKED_EMAIL = new RegExp(
  `^[^\\s@]*\\+${RUN_MARKER_PREFIX}([a-z0-9]+)-p\\d+-[^\\s@]*@[^\\s@]+$`,
);

/** Run ids older than this are not ours: the suite did not exist yet. */
const EARLIEST_RUN = Date.UTC(2020, 0, 1);
/** Clocks of other machines may run ahead, but not by this much. */
const CLOCK_SKEW_MS = 86_400_000;

export type Verdict =
  /** Marked by a run at least the threshold old: to be deleted. */
  | { kind: 'leftover'; user: User; ageMs: number }
  /** Marked by a run younger than the threshold, which may still be running. */
  | { kind: 'recent'; user: User; ageMs: number }
  /** Marked, but the run id's time is not a plausible time: left alone. */
  | { kind: 'unreadable'; user: User }
  /** Not the suite's marker at all (the API's substring match is loose). */
  | { kind: 'foreign'; user: User };

/**
 * Sorts a user matched by `?email=pwrun-` into what the janitor may do with it. The age is the run's,
 * read from the run id's time: that is our own data, where `createdAt` belongs to the backend, and
 * every user of one run shares it, so a run's users go together.
 */
export function classify(user: User, olderThanMs: number, now: number): Verdict {
  const runId = typeof user.email === 'string' ? MARKED_EMAIL.exec(user.email)?.[1] : undefined;
  if (runId === undefined) return { kind: 'foreign', user };
  const started = runIdTime(runId);
  if (started === undefined || started < EARLIEST_RUN || started > now + CLOCK_SKEW_MS)
    return { kind: 'unreadable', user };
  const ageMs = now - started;
  return ageMs >= olderThanMs ? { kind: 'leftover', user, ageMs } : { kind: 'recent', user, ageMs };
}

/**
 * Every user whose email contains `pwrun-` (any case), page by page. All pages are read before
 * anything is deleted, since deleting shifts later pages. Stops at a short page, or at a page that
 * brings nothing new (a server ignoring `page` would otherwise repeat forever).
 */
export async function findCandidates(users: UsersApi, limit = 100): Promise<User[]> {
  const found = new Map<string, User>();
  for (let page = 1; ; page += 1) {
    const batch = await users.list({ filters: { email: RUN_MARKER_PREFIX }, page, limit });
    const before = found.size;
    for (const user of batch) found.set(user.id, user);
    if (batch.length < limit || found.size === before) break;
  }
  return [...found.values()];
}

/** `3d 4h`, `5h 12m`, `42m`, `30s`: the two largest units of an age. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3_600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}
