/** What the sensitivity scripts share: which defects a command line picks, and running them side by side. */

/**
 * The defects named by `--defect` (all of `known` when none is). An unknown name is a bad command
 * line: one line naming it and the choices, exit code 2.
 */
export function chooseDefects(
  named: readonly string[] | undefined,
  known: readonly string[],
): string[] {
  const chosen = [...(named ?? known)];
  const unknown = chosen.filter((defect) => !known.includes(defect));
  if (unknown.length > 0) {
    console.error(`unknown defect ${unknown.join(', ')}: choose from ${known.join(', ')}`);
    process.exit(2);
  }
  return chosen;
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
