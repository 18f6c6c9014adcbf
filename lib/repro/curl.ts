import type { CallRecord } from '../http/api-observer';

/** Headers a reproduction never repeats: the transport sets them, or they are the context's own. */
const OMITTED = new Set(['content-length', 'host', 'authorization', 'connection']);

/** `text` as one bash word that means exactly `text`: single-quoted, quotes inside escaped. */
export function singleQuoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `text` for the inside of a double-quoted bash word, where only `\`, `"`, `$` and backticks are special. */
function doubleQuotedPart(text: string): string {
  return text.replace(/[\\"$`]/g, (c) => `\\${c}`);
}

export interface ScriptOptions {
  /** The API root the calls were sent to; the script's `API_ROOT` defaults to it. */
  baseUrl: string;
  /** The variable holding the token (`QA_API_TOKEN`), sent as `Bearer $QA_API_TOKEN`; never its value. */
  tokenVariable: string | undefined;
  /** The test, for the script's header comment. */
  title: string;
}

/** An id the server assigned to a create: `{"id":"7",…}` in a 2xx answer to a POST. */
function createdId(call: CallRecord): string | undefined {
  if (call.method !== 'POST' || call.status === undefined || call.status >= 300) return undefined;
  try {
    const body = JSON.parse(call.response?.body ?? '') as { id?: unknown };
    return typeof body.id === 'string' || typeof body.id === 'number' ? String(body.id) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The path of a call, with the ids that earlier creates of the same script were assigned replaced
 * by the shell variables the script captured them in: `users/7/posts` → `users/${ID_1}/posts`.
 */
function pathWithIds(path: string, ids: ReadonlyMap<string, string>): string {
  const [route = '', query] = path.split(/\?(.*)/s);
  const segments = route
    .split('/')
    .map((segment, i) =>
      i % 2 === 1 && ids.has(segment) ? `\${${ids.get(segment) ?? ''}}` : doubleQuotedPart(segment),
    );
  return `${segments.join('/')}${query === undefined ? '' : `?${doubleQuotedPart(query)}`}`;
}

/** One call as a curl command, headers and body exactly as sent, the token as a variable reference. */
export function curlCommand(
  call: CallRecord,
  options: Pick<ScriptOptions, 'tokenVariable'>,
  ids: ReadonlyMap<string, string> = new Map(),
): string {
  const parts = [
    'curl -sS -i',
    `-X ${call.method}`,
    `"\${API_ROOT}/${pathWithIds(call.path, ids)}"`,
    ...Object.entries(call.request.headers)
      .filter(([name]) => !OMITTED.has(name.toLowerCase()))
      .map(([name, value]) => `-H ${singleQuoted(`${name}: ${value}`)}`),
    ...(options.tokenVariable === undefined
      ? []
      : [`-H "Authorization: Bearer \${${options.tokenVariable}}"`]),
    ...(call.request.body === undefined ? [] : [`--data-raw ${singleQuoted(call.request.body)}`]),
  ];
  return parts.join(' \\\n  ');
}

/**
 * A bash script that sends a test's calls in order, as it sent them: `API_ROOT` defaults to the
 * environment's root, the token comes from its variable, and an id a create was given is captured
 * and used by the later calls in place of the recorded one, so the script runs against a fresh
 * server too. Each answer is printed with its status line and headers.
 */
export function reproScript(calls: readonly CallRecord[], options: ScriptOptions): string {
  const ids = new Map<string, string>();
  const lines = [
    '#!/usr/bin/env bash',
    `# The API calls of: ${options.title.replaceAll('\n', ' ')}`,
    '# Run: bash requests.sh   (API_ROOT=<root> bash requests.sh for another environment)',
    'set -u',
    `API_ROOT="\${API_ROOT:-${doubleQuotedPart(options.baseUrl)}}"`,
    ...(options.tokenVariable === undefined
      ? []
      : [`: "\${${options.tokenVariable}:?set ${options.tokenVariable} to the API token}"`]),
    '',
  ];
  calls.forEach((call, i) => {
    const command = curlCommand(call, options, ids);
    const id = createdId(call);
    lines.push(`# ${i + 1}. ${call.method} /${call.path} → ${call.status ?? 'no answer'}`);
    if (id === undefined) {
      lines.push(command, 'echo', '');
      return;
    }
    const variable = `ID_${ids.size + 1}`;
    // The answer is printed as it came, then the id it holds is kept for the calls after it. Not
    // `tee /dev/stderr`: where stderr is a socket (a Node child process), /dev/stderr cannot be opened.
    lines.push(
      `ANSWER_${ids.size + 1}=$(${command})`,
      `printf '%s\\n' "$ANSWER_${ids.size + 1}"`,
      `${variable}=$(printf '%s\\n' "$ANSWER_${ids.size + 1}" | sed -n 's/.*[{,] *"id": *"\\{0,1\\}\\([^",}]*\\).*/\\1/p' | tail -n 1)`,
      '',
    );
    ids.set(id, variable);
  });
  return `${lines.join('\n')}\n`;
}
