import { expect, test } from '@playwright/test';

import type { DocumentedOperation } from '../../lib/openapi/operations';
import { formatCoverage, summarizeCoverage } from '../../lib/reporting/api-coverage';
import type { RecordedCall } from '../../lib/reporting/api-health';

const OPERATIONS: DocumentedOperation[] = [
  {
    method: 'GET',
    template: '/users',
    route: 'users',
    statuses: ['200', '404', '429'],
    queryParameters: ['page', 'limit', 'search'],
  },
  {
    method: 'POST',
    template: '/users',
    route: 'users',
    statuses: ['201', '4XX'],
    queryParameters: [],
  },
  {
    method: 'GET',
    template: '/users/{id}',
    route: 'users/:id',
    statuses: ['200', '404', 'default'],
    queryParameters: [],
  },
  {
    method: 'DELETE',
    template: '/users/{id}',
    route: 'users/:id',
    statuses: ['200', '404'],
    queryParameters: [],
  },
];

const call = (
  method: string,
  path: string,
  status: number | undefined,
  retried: number[] = [],
): RecordedCall => ({
  method,
  path,
  route: path.split('?')[0]?.replace(/\/\d+$/, '/:id') ?? path,
  status,
  durationMs: 5,
  attempts: retried.length + 1,
  retries: retried.map((s, i) => ({ attempt: i + 1, outcome: { kind: 'response', status: s } })),
});

test('coverage counts operations called, statuses answered and parameters sent', () => {
  const coverage = summarizeCoverage(OPERATIONS, [
    call('GET', 'users?page=2&limit=3', 200, [429]),
    call('GET', 'users?search=x', 404),
    call('POST', 'users', 400),
    call('GET', 'users/7', 200),
    call('GET', 'users/8', 500),
    call('GET', 'products', 200),
    call('GET', 'products', 404),
    call('DELETE', 'users/7', 409),
  ]);
  expect(coverage.operations).toEqual({ covered: 4, total: 4, percent: 100 });
  // Seen: GET /users 200 404 429 (the 429 was retried), POST 4XX, GET one 200 and default (the 500),
  // DELETE neither (409 is not documented for it).
  expect(coverage.statuses).toEqual({ covered: 6, total: 10, percent: 60 });
  expect(coverage.parameters).toEqual({ covered: 3, total: 3, percent: 100 });
  expect(coverage.undocumented).toEqual([{ call: 'GET /products', count: 2 }]);
  expect(coverage.undocumentedStatuses).toEqual([{ call: 'DELETE /users/{id} → 409', count: 1 }]);
  const users = coverage.detail.find((o) => o.operation === 'POST /users');
  expect(users?.statuses).toEqual([
    { status: '201', seen: false },
    { status: '4XX', seen: true },
  ]);
});

test('what was never touched is named in the terminal lines', () => {
  const coverage = summarizeCoverage(OPERATIONS, [call('GET', 'users?page=1', 200)]);
  expect(coverage.operations).toEqual({ covered: 1, total: 4, percent: 25 });
  const text = formatCoverage(coverage, 'API coverage (local)');
  expect(text).toContain('operations 1/4 (25%)');
  expect(text).toContain('never called: POST /users; GET /users/{id}; DELETE /users/{id}');
  expect(text).toContain('statuses never answered: GET /users 404 429');
  expect(text).toContain('query parameters never sent: GET /users ?limit ?search');
  // The terminal names a few of each kind; the coverage report has them all.
  expect(formatCoverage(coverage, 'API coverage (local)', 1)).toContain(
    'never called: POST /users; … 2 more in the coverage report',
  );
});

test('an undocumented 5xx is left to the health summary, not counted against the document', () => {
  const coverage = summarizeCoverage(OPERATIONS.slice(3), [call('DELETE', 'users/1', 503)]);
  expect(coverage.undocumentedStatuses).toEqual([]);
  expect(coverage.statuses.covered).toBe(0);
});
