import { z } from 'zod';

/**
 * Which side the server takes where mockapi.io's contract is silent. `strict` is the default
 * behaviour; `lenient` takes the other choice at every such point, so that a suite which passes
 * against both relies on nothing the contract leaves open:
 *
 * - a `limit` without `page`: applied as page 1 / ignored;
 * - a `page` without `limit`: ignored / pages of {@link LENIENT_PAGE_SIZE};
 * - ties on the sort field: id order / the reverse; records without the field: last / first;
 *   values of different types: numbers first / strings first;
 * - strings sort by locale / by UTF-16 code unit; case is folded to lower / to upper case;
 * - without `sortBy`: id order (reversed by `order=desc`) / the other way round;
 * - `search` looks at every string value, `id` and `createdAt` too / at strings, numbers and
 *   booleans except `id` and `createdAt`;
 * - a filter on a number, boolean or nested value compares its text / never matches;
 * - `createdAt` with milliseconds and `Z` / whole seconds and `+00:00`.
 */
export const listSemanticsSchema = z.enum(['strict', 'lenient']);

export type ListSemantics = z.infer<typeof listSemanticsSchema>;

/** The page size of a `page` sent without `limit`, under `lenient`. */
export const LENIENT_PAGE_SIZE = 10;

/** The `createdAt` of a record created at `now`. */
export function createdAtText(now: Date, semantics: ListSemantics): string {
  const iso = now.toISOString();
  return semantics === 'strict' ? iso : iso.replace(/\.\d{3}Z$/, '+00:00');
}
