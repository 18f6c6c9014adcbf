import type { z } from 'zod';

import { ApiResponseError, excerpt } from './api-errors';

/** Formats a zod path as `$[0].email`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .reduce((a, b) => a + b, '$');
}

/** Parses `data` with `schema`, failing with the call, each bad path and what it expected, and a body excerpt. */
export function parseWithSchema<T extends z.ZodType>(
  schema: T,
  data: unknown,
  context: { call: string; schemaName: string; body: string },
): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `  at ${formatPath(issue.path)}: ${issue.message}`);
  const more =
    parsed.error.issues.length > 5 ? [`  … and ${parsed.error.issues.length - 5} more`] : [];
  throw new ApiResponseError(
    [
      `${context.call} answered a body that does not match ${context.schemaName}:`,
      ...issues,
      ...more,
      `Body: ${excerpt(context.body)}`,
    ].join('\n'),
    context.call,
  );
}
