/**
 * A covering array of strength 2: rows of one level per factor such that every pair of levels of
 * every two factors appears in some row. Greedy and deterministic (the same factors give the same
 * rows on every run): each row starts from the first pair not yet covered and fills the other
 * factors with the level that covers the most new pairs, ties to the lowest level. It needs about
 * `a·b` rows for the two largest factors of `a` and `b` levels, where the full product needs them all.
 */
export function pairwise(levels: readonly number[]): number[][] {
  const uncovered = new Set<string>();
  const key = (f: number, a: number, g: number, b: number) => `${f}:${a}|${g}:${b}`;
  for (let f = 0; f < levels.length; f += 1)
    for (let g = f + 1; g < levels.length; g += 1)
      for (let a = 0; a < (levels[f] ?? 0); a += 1)
        for (let b = 0; b < (levels[g] ?? 0); b += 1) uncovered.add(key(f, a, g, b));

  const rows: number[][] = [];
  while (uncovered.size > 0) {
    const [first] = uncovered;
    const [left = '', right = ''] = (first ?? '').split('|');
    const [f, a] = left.split(':').map(Number) as [number, number];
    const [g, b] = right.split(':').map(Number) as [number, number];
    const row: (number | undefined)[] = levels.map(() => undefined);
    row[f] = a;
    row[g] = b;
    for (let h = 0; h < levels.length; h += 1) {
      if (row[h] !== undefined) continue;
      let best = 0;
      let bestGain = -1;
      for (let c = 0; c < (levels[h] ?? 0); c += 1) {
        let gain = 0;
        row.forEach((level, other) => {
          if (level === undefined || other === h) return;
          const pair = other < h ? key(other, level, h, c) : key(h, c, other, level);
          if (uncovered.has(pair)) gain += 1;
        });
        if (gain > bestGain) [best, bestGain] = [c, gain];
      }
      row[h] = best;
    }
    const full = row.map((level) => level ?? 0);
    for (let x = 0; x < full.length; x += 1)
      for (let y = x + 1; y < full.length; y += 1)
        uncovered.delete(key(x, full[x] ?? 0, y, full[y] ?? 0));
    rows.push(full);
  }
  return rows;
}
