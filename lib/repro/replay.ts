import fs from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

import type { HttpMethod } from '../http/retry-policy';
import { REPRO_FILES, type ReproDocument } from './repro-bundle';

type ReproCall = ReproDocument['calls'][number];

const refusalSchema = z.object({
  statuses: z.array(z.number()),
  reason: z.enum(['status', 'body']),
});
const documentSchema = z.object({
  version: z.literal(1),
  title: z.string(),
  baseUrl: z.string(),
  tokenVariable: z.string().optional(),
  calls: z.array(
    z.object({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
      path: z.string(),
      headers: z.record(z.string(), z.string()),
      body: z.string().optional(),
      recorded: z.object({
        status: z.number().optional(),
        body: z.string().optional(),
        contentType: z.string().optional(),
      }),
      refused: refusalSchema.optional(),
    }),
  ),
});

const harSchema = z.object({
  log: z.object({
    entries: z.array(
      z.object({
        request: z.object({
          method: z.string(),
          url: z.string(),
          headers: z.array(z.object({ name: z.string(), value: z.string() })),
          postData: z.object({ text: z.string() }).optional(),
        }),
        response: z.object({ status: z.number(), content: z.object({ text: z.string() }) }),
        comment: z.string().optional(),
      }),
    ),
  }),
});

/** A reproduction that cannot be read: one line saying which file and why. */
export class ReproReadError extends Error {}

/**
 * Reads what a failed test left: its folder (holding `repro/repro.json`), the `repro` folder, the
 * `repro.json` itself, or a HAR file (whose calls count as expected as recorded, with no check's
 * verdict: the test's own assertion is then judged on the last answer).
 */
export function readRepro(target: string): ReproDocument {
  const candidates = [
    target,
    path.join(target, REPRO_FILES.document),
    path.join(target, 'repro', REPRO_FILES.document),
  ];
  const file = candidates.find((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile());
  if (file === undefined)
    throw new ReproReadError(
      `${target} holds no ${REPRO_FILES.document}: pass a failed test's folder under test-results/, its repro/ folder, or a .har file`,
    );
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new ReproReadError(`${file} is not JSON`);
  }
  if (file.endsWith('.har')) return fromHar(file, json);
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success)
    throw new ReproReadError(
      `${file} is not a reproduction: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  return parsed.data;
}

function fromHar(file: string, json: unknown): ReproDocument {
  const parsed = harSchema.safeParse(json);
  if (!parsed.success) throw new ReproReadError(`${file} is not a HAR 1.2 log`);
  const entries = parsed.data.log.entries.filter((e) => !(e.comment ?? '').startsWith('attempt '));
  const first = entries[0];
  if (first === undefined) throw new ReproReadError(`${file} holds no request`);
  // The API root: the longest prefix of the first URL shared by every request's URL path.
  const urls = entries.map((e) => new URL(e.request.url));
  const root = rootOf(urls);
  return {
    version: 1,
    title: path.basename(file),
    baseUrl: root,
    tokenVariable: undefined,
    calls: entries.map((e, i) => ({
      method: e.request.method.toUpperCase() as HttpMethod,
      path: urls[i]?.href.slice(root.length + 1) ?? '',
      headers: Object.fromEntries(
        e.request.headers
          .filter((h) => !/^(authorization|content-length|host)$/i.test(h.name))
          .map((h) => [h.name, h.value]),
      ),
      body: e.request.postData?.text,
      recorded: { status: e.response.status, body: e.response.content.text },
    })),
  };
}

/** `http://h/api/v1` for `http://h/api/v1/users` and `http://h/api/v1/users/7`: ids alternate with collections. */
function rootOf(urls: readonly URL[]): string {
  const depth = Math.min(
    ...urls.map((u) => {
      const segments = u.pathname.split('/').filter((s) => s !== '');
      // A collection path has an odd number of resource segments after the root: drop them.
      return segments.length - (segments.length % 2 === 0 ? 2 : 1);
    }),
  );
  const first = urls[0] as URL;
  const kept = first.pathname
    .split('/')
    .filter((s) => s !== '')
    .slice(0, Math.max(0, depth));
  return `${first.origin}${kept.length === 0 ? '' : `/${kept.join('/')}`}`;
}

/** A path with each recorded id (every second segment) replaced by the id this replay got for it. */
export function substituteIds(callPath: string, ids: ReadonlyMap<string, string>): string {
  const [route = '', query] = callPath.split(/\?(.*)/s);
  const replaced = route
    .split('/')
    .map((segment, i) => (i % 2 === 1 ? (ids.get(segment) ?? segment) : segment))
    .join('/');
  return query === undefined ? replaced : `${replaced}?${query}`;
}

/** The id in a create's JSON answer, if any. */
export function idOf(body: string | undefined): string | undefined {
  try {
    const id = (JSON.parse(body ?? '') as { id?: unknown }).id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a field's value is the server's to choose: ids, `createdAt`, a parent's id. */
const assigned = (key: string) => key === 'id' || key === 'createdAt' || key.endsWith('Id');

/**
 * Numbers the ids of one run's answers by their first appearance, per collection: two runs of the
 * same calls then agree on which records come back again, whatever values their servers gave. A
 * record given the id of one deleted before (`deleted-id-reused`) is then a difference.
 */
export class IdOrdinals {
  readonly #seen = new Map<string, number>();

  /** The ordinal of `id` among the records of the collection `path` names. */
  of(path: string, id: unknown): number {
    const key = `${collectionOf(path)} ${String(id)}`;
    let ordinal = this.#seen.get(key);
    if (ordinal === undefined) {
      ordinal = this.#seen.size + 1;
      this.#seen.set(key, ordinal);
    }
    return ordinal;
  }
}

/** `users/7/posts/3?x=1` → `users/:id/posts`: the collection whatever ids its path holds. */
const collectionOf = (path: string): string => {
  const segments = (path.split('?')[0] ?? '').split('/').filter((s) => s !== '');
  return segments
    .map((segment, i) => (i % 2 === 1 ? ':id' : segment))
    .slice(0, segments.length % 2 === 0 ? -1 : undefined)
    .join('/');
};

/**
 * A body for comparing two runs' answers: what the server assigns (ids, `createdAt`) is kept by its
 * type alone, since its value differs from run to run, but an id that turns into a number, or a
 * `createdAt` that goes missing, is a difference all the same. Given a run's {@link IdOrdinals} and
 * the call's path, each record's `id` becomes its ordinal in that run, fed in call order.
 */
export function comparable(
  body: string | undefined,
  ids?: { ordinals: IdOrdinals; path: string },
): string {
  const shape = (value: unknown, record: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => shape(item, record));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, item]) => [
            key,
            key === 'id' && record && ids !== undefined && item !== null
              ? `<id ${ids.ordinals.of(ids.path, item)} ${typeof item}>`
              : assigned(key)
                ? `<${item === null ? 'null' : typeof item}>`
                : shape(item, false),
          ]),
      );
    return value;
  };
  try {
    // The answer's records are the body, or its list's items; objects inside them are fields.
    return JSON.stringify(shape(JSON.parse(body ?? ''), true));
  } catch {
    return body ?? '';
  }
}

/** One replayed call's verdict. */
export interface CallVerdict {
  /** `same` as when the test ran; `fixed` where a check refused it then; `failing` where it still does; `differs` where an answer the test accepted changed. */
  verdict: 'same' | 'fixed' | 'failing' | 'differs';
  detail: string;
}

/**
 * Judges a replayed answer against what the test expected, not against the recorded bad answer: a
 * check's refusal says what it wanted (statuses, or a body the contract accepts); a call no check
 * refused was expected to answer as it did. `last` marks the test's last call when no check refused
 * any: the test's own assertion failed on it, so an unchanged answer means the defect is still there.
 */
export function judgeAnswer(
  call: ReproCall,
  answer: {
    status: number | undefined;
    body: string | undefined;
    contentType?: string | undefined;
    contractError?: string;
  },
  options: {
    last: boolean;
    anyRefused: boolean;
    /** The run's ids in order of appearance, the recorded run's and this one's (see {@link IdOrdinals}). */
    ids?: { recorded: IdOrdinals; replayed: IdOrdinals };
  },
): CallVerdict {
  // Both answers are numbered whatever the verdict, so that later calls see every id before them.
  const shapes = {
    answer: comparable(
      answer.body,
      options.ids && { ordinals: options.ids.replayed, path: call.path },
    ),
    recorded: comparable(
      call.recorded.body,
      options.ids && { ordinals: options.ids.recorded, path: call.path },
    ),
  };
  const got = answer.status === undefined ? 'no answer' : String(answer.status);
  const { refused } = call;
  if (refused !== undefined) {
    if (answer.status === undefined || !refused.statuses.includes(answer.status))
      return {
        verdict: 'failing',
        detail: `answered ${got}, expected ${refused.statuses.join(' or ')}`,
      };
    if (refused.reason === 'status')
      return {
        verdict: 'fixed',
        detail: `answered ${got} as expected (was ${call.recorded.status ?? 'no answer'})`,
      };
    if (answer.contractError !== undefined)
      return {
        verdict: 'failing',
        detail: `its body still breaks the contract: ${answer.contractError}`,
      };
    // The same body under another content type passes: the check may have refused the header.
    return shapes.answer === shapes.recorded &&
      (call.recorded.contentType === undefined || answer.contentType === call.recorded.contentType)
      ? { verdict: 'failing', detail: 'the same answer the check refused' }
      : { verdict: 'fixed', detail: `answered ${got} with an answer that passes` };
  }
  if (answer.status !== call.recorded.status)
    return {
      verdict: 'differs',
      detail: `answered ${got}, the test saw ${call.recorded.status ?? 'no answer'}`,
    };
  if (options.last && !options.anyRefused) {
    // The test's assertion, not a check of the framework, failed on this answer.
    return shapes.answer === shapes.recorded
      ? {
          verdict: 'failing',
          detail: `answered ${got} with the body the test's assertion failed on`,
        }
      : {
          verdict: 'fixed',
          detail: `answered ${got} with another body than the one the test failed on`,
        };
  }
  return { verdict: 'same', detail: `answered ${got}` };
}

/** The replay's exit code: 1 while the defect reproduces (a call still failing), else 0. */
export function replayExitCode(verdicts: readonly CallVerdict[]): 0 | 1 {
  return verdicts.some((v) => v.verdict === 'failing') ? 1 : 0;
}
