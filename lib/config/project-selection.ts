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
