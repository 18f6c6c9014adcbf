import type { ApiResult } from './api-call';
import { ApiResponseError, excerpt } from './api-errors';

/**
 * Parses a JSON body, failing with the call, the content type and an excerpt when it is not JSON,
 * or when it is JSON sent under another content type (clients that go by the header break).
 */
export function parseJson(call: string, result: ApiResult): unknown {
  const type = result.headers['content-type'];
  let body: unknown;
  try {
    body = JSON.parse(result.text) as unknown;
  } catch {
    const looksHtml = /^\s*</.test(result.text);
    const hint = looksHtml
      ? ' — an HTML page usually means the base URL points at a website, not the API root'
      : '';
    throw new ApiResponseError(
      `${call} answered ${result.status} with a body that is not JSON (${type ?? 'no content-type'})${hint}. Body: ${excerpt(result.text) || '(empty)'}`,
      call,
    );
  }
  if (type === undefined || !JSON_CONTENT_TYPE.test(type)) {
    throw new ApiResponseError(
      `${call} answered ${result.status} with a JSON body under content-type ${type ?? '(none)'}, expected application/json. Body: ${excerpt(result.text) || '(empty)'}`,
      call,
    );
  }
  return body;
}

const JSON_CONTENT_TYPE = /^\s*application\/([\w.-]+\+)?json\s*(;|$)/i;
