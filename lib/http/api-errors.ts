const EXCERPT_CHARS = 300;

/** Shortens a body for an error message. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${flat.length} chars)`;
}

/** Base class of every error the API layer throws, carrying the call it came from. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly call: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server answered a status the operation does not accept. */
export class ApiStatusError extends ApiError {
  constructor(
    call: string,
    readonly status: number,
    readonly expected: readonly number[],
    body: string,
    attempts: number,
  ) {
    const tried = attempts > 1 ? ` after ${attempts} attempts` : '';
    super(
      `${call} answered ${status}${tried}, expected ${expected.join(' or ')}. Body: ${excerpt(body) || '(empty)'}`,
      call,
    );
  }
}

/** The body could not be used: not JSON, or not the shape the contract promises. */
export class ApiResponseError extends ApiError {}

/** No usable answer: timeouts or connection errors until the retry policy gave up, or a fatal transport error. */
export class ApiTransportError extends ApiError {
  constructor(
    call: string,
    readonly reason: string,
    readonly attempts: number,
  ) {
    super(`${call} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`, call);
  }
}

/** The operation is not allowed in this environment (writes against production). */
export class ApiForbiddenOperationError extends ApiError {}
