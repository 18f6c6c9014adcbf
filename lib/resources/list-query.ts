import { ApiResponseError, excerpt } from '../http/api-errors';
import type { ApiRecord } from './resource';

/** Query of a list; any key of `filters` filters by substring on that field. */
export interface ListQuery {
  page?: number;
  limit?: number;
  sortBy?: string;
  order?: 'asc' | 'desc';
  search?: string;
  filters?: Record<string, string>;
}

/** The query as the API's parameters: filters by field name, then the list parameters. */
export function toParams(query: ListQuery): Record<string, string | number> {
  const params: Record<string, string | number> = { ...query.filters };
  if (query.page !== undefined) params.page = query.page;
  if (query.limit !== undefined) params.limit = query.limit;
  if (query.sortBy !== undefined) params.sortBy = query.sortBy;
  if (query.order !== undefined) params.order = query.order;
  if (query.search !== undefined) params.search = query.search;
  return params;
}

/**
 * Checks what a client relies on in a list beyond its shape: no more records than `limit` on a page, and
 * every record matching each field filter (mockapi.io matches by case-insensitive substring).
 */
export function checkListHonoursQuery(
  call: string,
  query: ListQuery,
  records: readonly ApiRecord[],
  body: string,
): void {
  const problems: string[] = [];
  // The contract defines a limit only with a page: a bare one may be ignored.
  if (query.limit !== undefined && query.page !== undefined && records.length > query.limit)
    problems.push(`${records.length} records for limit=${query.limit}`);
  for (const [field, value] of Object.entries(query.filters ?? {})) {
    const misfit = records.find(
      (record) =>
        !JSON.stringify(record[field] ?? '')
          .toLowerCase()
          .includes(value.toLowerCase()),
    );
    if (misfit !== undefined)
      problems.push(`record ${misfit.id} does not match ${field}=${JSON.stringify(value)}`);
  }
  if (problems.length > 0) {
    throw new ApiResponseError(
      `${call} answered a list that ignores its query: ${problems.join('; ')}. Body: ${excerpt(body)}`,
      call,
    );
  }
}
