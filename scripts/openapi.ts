import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { openApiDocument } from '../lib/openapi/document';
import { SUITE_RESOURCES } from '../lib/suite-resources';
import { type CommandLine, EXIT, parseFlags, runCommand } from './support/cli';

interface OpenApiOptions {
  /** A file, or `-` for stdout. */
  out: string;
  serverUrl: string | undefined;
}

const DEFAULT_OUT = 'reports/openapi.json';

const HELP = `Usage: npm run openapi -- [--out FILE] [--server-url URL]

Writes the API contract of the suite's resources (lib/suite-resources.ts) as an OpenAPI 3.1 document,
generated from their zod schemas: what every response is checked against unless <ENV>_OPENAPI names
a document of your own (e.g. QA_OPENAPI=./openapi.json).

  --out FILE        where to write it; - for stdout; default ${DEFAULT_OUT}
  --server-url URL  the API root to list under "servers", e.g. https://<id>.mockapi.io/api/v1
  --help, -h        print this help and exit`;

function parseCommandLine(argv: readonly string[]): CommandLine<OpenApiOptions> {
  const { values, error } = parseFlags(argv, {
    out: { type: 'string' },
    'server-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values === undefined) return { kind: 'error', message: error };
  if (values.help === true) return { kind: 'help', text: HELP };
  const out = values.out ?? DEFAULT_OUT;
  if (out.trim() === '')
    return { kind: 'error', message: '--out needs a file name, or - for stdout' };
  const serverUrl = values['server-url'];
  if (serverUrl !== undefined && !/^https?:\/\/\S+$/i.test(serverUrl))
    return { kind: 'error', message: `--server-url ${serverUrl} is not an http(s) URL` };
  return { kind: 'run', options: { out, serverUrl } };
}

/** `npm run openapi`: writes the generated document. */
async function writeDocument(options: OpenApiOptions): Promise<number> {
  const document = openApiDocument(
    SUITE_RESOURCES,
    options.serverUrl === undefined ? {} : { serverUrl: options.serverUrl },
  );
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (options.out === '-') {
    process.stdout.write(text);
    return EXIT.ok;
  }
  const file = path.resolve(options.out);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  const operations = Object.values(document.paths).reduce(
    (sum, item) => sum + Object.keys(item).filter((key) => key !== 'parameters').length,
    0,
  );
  process.stdout.write(
    `openapi: wrote ${shown(file)} (OpenAPI ${document.openapi}, ${operations} operations)\n`,
  );
  return EXIT.ok;
}

/** A file as the user would type it: relative under the working directory, absolute elsewhere. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

runCommand('openapi', parseCommandLine, writeDocument);
