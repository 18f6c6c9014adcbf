import { expect, test } from '@playwright/test';

import {
  formatApiHealthMarkdown,
  formatApiHealthTable,
  type RecordedCall,
  recordedCallsOf,
  summarizeApiHealth,
} from '../../lib/reporting/api-health';
import { API_CALLS_ATTACHMENT } from '../../lib/reporting/api-steps';

const call = (status: number | undefined, deliberate?: boolean): RecordedCall => ({
  method: 'GET',
  path: 'users/1',
  route: 'users/:id',
  status,
  durationMs: 5,
  attempts: status === undefined || status >= 500 ? 3 : 1,
  retries: [],
  ...(deliberate === undefined ? {} : { deliberate }),
});

test.describe('the API health summary and deliberate faults', () => {
  test('a 5xx under a scripted fault is counted apart, not as an alarm', () => {
    const summary = summarizeApiHealth([
      { test: 'crud', call: call(200) },
      { test: 'stays down', call: call(503, true) },
      { test: 'stays down', call: call(undefined, true) },
      { test: 'stays down', call: call(200, true) },
    ]);
    expect(summary).toMatchObject({ calls: 4, failedCalls: 0, deliberateFailures: 2 });
    // The table still shows every status the endpoint answered.
    expect(summary.endpoints[0]?.statuses).toEqual({ '200': 2, '503': 1, none: 1 });
    const headline = formatApiHealthTable(summary).split('\n')[0];
    expect(headline).toBe(
      'API health: 4 calls, 4 retries, 0 ended in 5xx or no response (and 2 deliberately, under deliberate faults)',
    );
    expect(formatApiHealthMarkdown(summary)).toContain('0 ended in 5xx or no response (and 2');
  });

  test('an unscripted 5xx is still an alarm, and a green run without faults reads as before', () => {
    const summary = summarizeApiHealth([
      { test: 'crud', call: call(503) },
      { test: 'crud', call: call(200, false) },
    ]);
    expect(summary).toMatchObject({ failedCalls: 1, deliberateFailures: 0 });
    expect(formatApiHealthTable(summary).split('\n')[0]).toBe(
      'API health: 2 calls, 2 retries, 1 ended in 5xx or no response',
    );
  });

  test('the mark travels in the api-calls.json attachment', () => {
    const body = Buffer.from(JSON.stringify([call(503, true), call(200)]));
    const calls = recordedCallsOf([{ name: API_CALLS_ATTACHMENT, body }]);
    expect(calls.map((c) => c.deliberate)).toEqual([true, undefined]);
  });
});
