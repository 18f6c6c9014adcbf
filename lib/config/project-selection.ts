/**
 * The project names given with `--project` on the command line (`--project x y` and
 * `--project=x`), lower-cased. Playwright decides which projects run only after the config is
 * loaded, so the config reads them to decide which environments to define and which servers to start.
 */
export function selectedProjects(argv: readonly string[] = process.argv): string[] {
  const names: string[] = [];
  // `--project` is variadic in Playwright's CLI: `--project unit qa` selects both, up to the next option.
  let variadic = false;
  for (const arg of argv) {
    if (arg === '--') break;
    if (variadic && !arg.startsWith('-')) {
      names.push(...arg.split(','));
      continue;
    }
    variadic = arg === '--project';
    if (arg.startsWith('--project=')) names.push(...arg.slice('--project='.length).split(','));
  }
  return names.map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
}

/** Whether a project is wanted: explicitly selected, or part of the default set when none is. */
export function isWanted(
  project: string,
  selected: readonly string[],
  defaults: readonly string[],
): boolean {
  if (selected.length === 0) return defaults.includes(project);
  // Playwright accepts wildcards in --project; honour the simple `*` form.
  return selected.some((pattern) =>
    new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i').test(project),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a project is named exactly (case aside) on the command line, not only matched by a `*` pattern. */
export function isNamed(project: string, selected: readonly string[]): boolean {
  return selected.includes(project.toLowerCase());
}

/**
 * The `--project` arguments Playwright would refuse, by its rules: a name without `*` must match a
 * project (case-insensitively); patterns with `*` fail only when the selection matches nothing.
 */
export function unmatchedSelection(
  selected: readonly string[],
  projects: readonly string[],
): string[] {
  const names = projects.map((name) => name.toLowerCase());
  const missing = selected.filter((name) => !name.includes('*') && !names.includes(name));
  if (missing.length > 0) return missing;
  return names.some((name) => isWanted(name, selected, [])) ? [] : [...selected];
}

/** A remote environment that is no project yet, and why: its base URL is unset, or set but invalid. */
export interface PendingEnvironment {
  name: string;
  variable: string;
  state: 'unset' | 'invalid';
}

/**
 * The one line for a `--project` that names no project: every project, and which variable makes
 * each remote one appear, e.g. `no project "qaa": projects are unit, …, local, local-faults, and
 * staging/qa/production once STAGING_BASE_URL/QA_BASE_URL/PRODUCTION_BASE_URL is set (QA_BASE_URL
 * is not set)`; the remark in brackets is about the environment the argument most resembles.
 */
export function describeUnmatchedSelection(
  unmatched: readonly string[],
  projects: readonly string[],
  pending: readonly PendingEnvironment[],
): string {
  const quoted = unmatched.map((name) => JSON.stringify(name)).join(', ');
  const head = unmatched.some((name) => name.includes('*'))
    ? `no project matches ${quoted}`
    : `no project ${quoted}`;
  const later =
    pending.length === 0
      ? ''
      : `, and ${pending.map((p) => p.name).join('/')} once ${pending.map((p) => p.variable).join('/')} is set`;
  const near = pending.find((p) => unmatched.some((name) => resembles(name, p.name)));
  const remark =
    near === undefined
      ? ''
      : near.state === 'unset'
        ? ` (${near.variable} is not set)`
        : ` (${near.variable} is set but not valid: --project=${near.name} says why)`;
  const known = projects.find((project) => unmatched.some((name) => resembles(name, project)));
  const hint = near === undefined && known !== undefined ? `; did you mean "${known}"?` : '';
  return `${head}: projects are ${projects.join(', ')}${later}${remark}${hint}`;
}

/** A typo away: within two edits (`qaa`, `stagin`), or one name starts the other. */
function resembles(typed: string, name: string): boolean {
  const a = typed.toLowerCase().replaceAll('*', '');
  const b = name.toLowerCase();
  if (a.length > 0 && (a.startsWith(b) || b.startsWith(a))) return true;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1)
      row.push(
        Math.min(
          (previous[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + 1,
          (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        ),
      );
    previous = row;
  }
  return (previous[b.length] ?? Infinity) <= Math.min(2, Math.floor(b.length / 2));
}
