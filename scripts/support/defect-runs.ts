/** What the sensitivity scripts share: which defects a command line picks, and running them side by side. */

/**
 * The defects named by `--defect` (all of `known` when none is), or a one-line error naming the
 * unknown ones and the choices.
 */
export function chooseDefects(
  named: readonly string[] | undefined,
  known: readonly string[],
): { defects: string[] } | { error: string } {
  const chosen = [...(named ?? known)];
  const unknown = chosen.filter((defect) => !known.includes(defect));
  return unknown.length === 0
    ? { defects: chosen }
    : { error: `unknown defect ${unknown.join(', ')}: choose from ${known.join(', ')}` };
}

/** `--concurrency N` as a count of at least 1. */
export const concurrencyOf = (raw: string | undefined): number =>
  Math.max(1, Number(raw ?? 1) || 1);

/** Runs `each` over `items`, at most `concurrency` at a time, in order of the list. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  each: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await each(item);
    }),
  );
}
