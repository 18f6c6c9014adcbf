import { Writable } from 'node:stream';

import type { APIRequestContext, APIResponse } from '@playwright/test';

import { ApiClient, type ApiClientOptions } from '../../../lib/http/api-client';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../lib/http/retry-policy';
import { createLogger } from '../../../lib/logging/logger';

type FetchOptions = NonNullable<Parameters<APIRequestContext['fetch']>[1]>;

/** What the fake server saw of one attempt. */
export interface SentRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  headers: Record<string, string>;
  data: unknown;
  options: FetchOptions;
}

/** A canned answer: a response, or an error thrown as Playwright's fetch would throw it. */
export type FakeAnswer =
  { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** The fake's only behaviour is `fetch`, so a cast to the full interface is confined to this helper. */
function asRequestContext(fake: Pick<APIRequestContext, 'fetch'>): APIRequestContext {
  return fake as APIRequestContext;
}

function asResponse(fake: Pick<APIResponse, 'status' | 'headers' | 'text'>): APIResponse {
  return fake as APIResponse;
}

function paramsOf(params: FetchOptions['params']): Record<string, string> {
  if (params === undefined) return {};
  const entries =
    typeof params === 'string' || params instanceof URLSearchParams
      ? [...new URLSearchParams(params).entries()]
      : Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]);
  return Object.fromEntries(entries);
}

/**
 * A request context whose `fetch` answers from `handler` and records every attempt.
 * A string body is sent verbatim; any other body as JSON. Bodies that are JSON get its content type
 * unless the answer's headers say otherwise.
 */
export function fakeRequestContext(handler: (req: SentRequest, index: number) => FakeAnswer): {
  context: APIRequestContext;
  sent: SentRequest[];
} {
  const sent: SentRequest[] = [];
  const context = asRequestContext({
    fetch: (urlOrRequest, options = {}) => {
      const path = typeof urlOrRequest === 'string' ? urlOrRequest : urlOrRequest.url();
      const req: SentRequest = {
        method: options.method ?? 'GET',
        path,
        params: paramsOf(options.params),
        headers: { ...options.headers },
        data: options.data,
        options,
      };
      sent.push(req);
      const answer = handler(req, sent.length - 1);
      if (answer instanceof Error) return Promise.reject(answer);
      const { body } = answer;
      const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
      const json = body !== undefined && (typeof body !== 'string' || isJson(body));
      const headers = {
        ...(json ? { 'content-type': 'application/json' } : {}),
        ...answer.headers,
      };
      return Promise.resolve(
        asResponse({
          status: () => answer.status,
          headers: () => headers,
          text: () => Promise.resolve(text),
        }),
      );
    },
  });
  return { context, sent };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Answers in order; the last answer repeats. */
export function inOrder(...answers: FakeAnswer[]): (req: SentRequest, index: number) => FakeAnswer {
  return (_req, index) => {
    const answer = answers[Math.min(index, answers.length - 1)];
    if (answer === undefined) throw new Error('inOrder needs at least one answer');
    return answer;
  };
}

/** A writable stream that keeps everything written to it. */
export function collectingStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Three attempts, millisecond delays, no jitter: retry loops finish in a few ms. */
export const FAST_RETRY: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  attempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 2,
  maxRetryAfterMs: 50,
  // Far beyond any stall of a busy machine; tests of the budget set their own.
  budgetMs: 120_000,
  jitter: false,
};

export const BASE_URL = 'http://127.0.0.1:9/api/v1';

/** An ApiClient over a fake context, logging at debug into a collected stream. */
export function fakeClient(
  handler: (req: SentRequest, index: number) => FakeAnswer,
  options: Partial<Omit<ApiClientOptions, 'request'>> = {},
): { client: ApiClient; sent: SentRequest[]; log: () => string } {
  const { context, sent } = fakeRequestContext(handler);
  const output = collectingStream();
  const client = new ApiClient({
    request: context,
    baseUrl: BASE_URL,
    timeoutMs: 500,
    retry: FAST_RETRY,
    logger: createLogger({
      destination: output.stream,
      secrets: options.secrets ?? [],
      colour: false,
      level: 'debug',
    }),
    ...options,
  });
  return { client, sent, log: output.text };
}

/** A user as the API returns it. */
export function apiUser(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, createdAt: '2026-01-02T03:04:05.000Z', name: `User ${id}`, ...fields };
}
