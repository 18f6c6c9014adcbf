import { expect, test } from '@playwright/test';
import fc from 'fast-check';

import {
  certainlyLess,
  checkList,
  containsIgnoringCase,
  judgeList,
  matchesFilter,
  matchesSearch,
  type ModelQuery,
  type ModelRecord,
  predictList,
} from '../../lib/model/list-semantics';
import { clientString } from '../../lib/model/payloads';

const user = (id: number, fields: Record<string, unknown> = {}): ModelRecord => ({
  id: String(id),
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
  ...fields,
});

const FIVE = ['Eve', 'dan', 'Cid', 'bea', 'Al'].map((name, i) => user(i + 1, { name }));

test.describe('matching', () => {
  test('a substring matches case aside; where casings disagree the contract does not say', () => {
    expect(containsIgnoringCase('Ann Lee', 'LEE')).toBe('yes');
    expect(containsIgnoringCase('Ann', 'bo')).toBe('no');
    expect(containsIgnoringCase('STRASSE', 'ß')).toBe('maybe');
    expect(containsIgnoringCase('İstanbul', 'i̇st')).toBe('maybe');
  });

  test('a field filter: string fields by substring, absent fields never, other values maybe', () => {
    const record = user(1, { name: 'Ann', age: 42, tags: ['x'], nick: null });
    expect(matchesFilter(record, 'name', 'nn')).toBe('yes');
    expect(matchesFilter(record, 'name', 'bo')).toBe('no');
    expect(matchesFilter(record, 'city', 'a')).toBe('no');
    expect(matchesFilter(record, 'age', '4')).toBe('maybe');
    expect(matchesFilter(record, 'tags', 'x')).toBe('maybe');
    expect(matchesFilter(record, 'nick', 'null')).toBe('maybe');
  });

  test('search: any string field but the server-owned ones; elsewhere maybe', () => {
    const record = user(12, { name: 'Ann', email: 'a@x.io', meta: { note: 'hidden' }, age: 42 });
    expect(matchesSearch(record, 'X.IO')).toBe('yes');
    expect(matchesSearch(record, 'hidden')).toBe('maybe');
    expect(matchesSearch(record, '42')).toBe('maybe');
    expect(matchesSearch(record, '12')).toBe('maybe');
    expect(matchesSearch(record, '2026-01')).toBe('maybe');
    expect(matchesSearch(record, 'zz')).toBe('no');
  });
});

test.describe('ordering', () => {
  test('numbers by value; strings only where every plausible collation agrees', () => {
    expect(certainlyLess(2, 10)).toBe(true);
    expect(certainlyLess('alpha', 'bravo')).toBe(true);
    expect(certainlyLess('Bravo', 'alpha')).toBe(false);
    expect(certainlyLess('alpha', 'Bravo')).toBe(false);
    expect(certainlyLess('9', '10')).toBe(false);
    expect(certainlyLess('12', '13')).toBe(true);
    expect(certainlyLess('a', 'a')).toBe(false);
    expect(certainlyLess(1, '2')).toBe(false);
    expect(certainlyLess(undefined, 'a')).toBe(false);
  });
});

test.describe('checking a list against the prediction', () => {
  const check = (query: ModelQuery, status: number, body: unknown) =>
    checkList(predictList(FIVE, query), status, body);
  const ids = (...list: number[]) => list.map((id) => FIVE[id - 1]);

  test('the right page in the right order passes', () => {
    const query: ModelQuery = { sortBy: 'id', order: 'desc', page: 2, limit: 2 };
    expect(check(query, 200, ids(3, 2))).toEqual([]);
  });

  test('a query matching nothing must answer 404 "Not found", not 200 []', () => {
    expect(check({ search: 'zz' }, 404, 'Not found')).toEqual([]);
    expect(check({ search: 'zz' }, 200, [])).toEqual([
      'answered 200 [] where mockapi.io answers 404 "Not found"',
    ]);
    expect(check({ search: 'zz' }, 404, { error: 'x' })).toEqual([
      'answered 404 with {"error":"x"}, expected "Not found"',
    ]);
    expect(check({ search: 'eve' }, 404, 'Not found')).toEqual([
      'answered 404 where 1 record(s) match',
    ]);
  });

  test('a page past the end is empty', () => {
    expect(check({ page: 4, limit: 2 }, 404, 'Not found')).toEqual([]);
    expect(check({ page: 3, limit: 2 }, 404, 'Not found')).toEqual([
      'answered 404 where 1 record(s) match',
    ]);
  });

  test('too many records, a foreign one, a duplicate or a changed one are each named', () => {
    expect(check({ page: 1, limit: 2 }, 200, ids(1, 2, 3))).toEqual([
      'answered 3 record(s), expected 2',
    ]);
    expect(check({}, 200, [...ids(1, 2, 3, 4, 5), user(99)])).toEqual([
      expect.stringMatching(/^listed \{"id":"99".*which the query does not select$/),
      'answered 6 record(s), expected 5',
    ]);
    expect(check({ limit: 2 }, 200, ids(1, 1))).toEqual(['listed user 1 twice']);
    expect(check({ search: 'eve' }, 200, [{ ...FIVE[0], name: 'eve' }])).toEqual([
      'listed user 1 as stored differently: name: expected "Eve", got "eve"',
    ]);
  });

  test('a certain order broken, or a record on the wrong page, is named', () => {
    expect(check({ sortBy: 'id' }, 200, ids(2, 1, 3, 4, 5))).toEqual([
      'listed user 2 (id "2") before user 1 ("1") with order=asc',
    ]);
    expect(check({ sortBy: 'id', page: 1, limit: 2 }, 200, ids(1, 3))).toEqual([
      'left out user 2, which belongs on this page (rank 2)',
      'listed user 3, which belongs on another page (rank 3)',
    ]);
  });

  test('where the order is uncertain, any order passes', () => {
    // "Eve" and "bea" compare differently by code unit and by locale.
    expect(
      check({ sortBy: 'name', filter: { field: 'name', value: 'e' } }, 200, ids(1, 4)),
    ).toEqual([]);
    expect(
      check({ sortBy: 'name', filter: { field: 'name', value: 'e' } }, 200, ids(4, 1)),
    ).toEqual([]);
    // No sortBy: the contract names no order.
    expect(check({ page: 1, limit: 2 }, 200, ids(5, 3))).toEqual([]);
  });

  test('a bare limit may be applied or ignored; any other page size fails', () => {
    expect(check({ limit: 2 }, 200, ids(1, 2))).toEqual([]);
    expect(check({ limit: 2 }, 200, ids(1, 2, 3, 4, 5))).toEqual([]);
    expect(check({ sortBy: 'id', limit: 3 }, 200, ids(1, 2, 3, 4, 5))).toEqual([]);
    expect(check({ limit: 2 }, 200, ids(1, 2, 3))).toEqual([
      expect.stringMatching(
        /^no reading of the query fits it: limit 2 applied: answered 3 record\(s\), expected 2 \| limit ignored: answered 3 record\(s\), expected 5; left out user 4/,
      ),
    ]);
    // Applied, the limit still takes the first page of the sorted result.
    expect(check({ sortBy: 'id', limit: 2 }, 200, ids(2, 3))).not.toEqual([]);
  });

  test('a page without a limit: ignored, or a page of some default size', () => {
    expect(check({ page: 2 }, 200, ids(1, 2, 3, 4, 5))).toEqual([]);
    expect(check({ sortBy: 'id', page: 2 }, 200, ids(3, 4))).toEqual([]);
    expect(check({ sortBy: 'id', page: 2 }, 404, 'Not found')).toEqual([]);
    expect(check({ sortBy: 'id', page: 1 }, 200, ids(1, 2, 3))).toEqual([]);
    // A page of size 2 starting at record 2 is no page at all.
    expect(check({ sortBy: 'id', page: 2 }, 200, ids(2, 3))).not.toEqual([]);
    expect(check({ sortBy: 'id', page: 1 }, 200, ids(2, 3))).not.toEqual([]);
  });

  test('ties may come in any order, and split across pages either way', () => {
    const tied = [1, 2, 3].map((id) => user(id, { name: 'same' }));
    const tiedCheck = (query: ModelQuery, body: unknown) =>
      checkList(predictList(tied, query), 200, body);
    expect(tiedCheck({ sortBy: 'name' }, [tied[2], tied[0], tied[1]])).toEqual([]);
    expect(tiedCheck({ sortBy: 'name', order: 'desc' }, [tied[0], tied[1], tied[2]])).toEqual([]);
    expect(tiedCheck({ sortBy: 'name', page: 1, limit: 1 }, [tied[1]])).toEqual([]);
    expect(tiedCheck({ sortBy: 'name', page: 1, limit: 1 }, [tied[1], tied[0]])).not.toEqual([]);
  });

  test('judgeList checks an answer straight from the records in scope', () => {
    expect(
      judgeList({ sortBy: 'id', order: 'desc', page: 1, limit: 1 }, FIVE, 200, ids(5)),
    ).toEqual([]);
    expect(judgeList({ search: 'zz' }, FIVE, 200, ids(1))).not.toEqual([]);
  });

  test('records that may or may not match widen the allowed sizes', () => {
    const records = [user(1, { name: 'Ann' }), user(2, { name: 'Bo', age: 4 })];
    const prediction = predictList(records, { search: '4' });
    expect(prediction.certain).toEqual([]);
    expect(checkList(prediction, 404, 'Not found')).toEqual([]);
    expect(checkList(prediction, 200, [records[1]])).toEqual([]);
    expect(checkList(prediction, 200, [records[0]])).toHaveLength(1);
  });
});

/** Where a faithful backend may take either side: each point the contract leaves open. */
interface Leeway {
  collate: (a: string, b: string) => number;
  /** A `limit` without `page`: applied as page 1, or ignored. */
  bareLimit: 'apply' | 'ignore';
  /** A `page` without `limit`: ignored, or a page of this default size. */
  pageAlone: 'ignore' | number;
  /** Records that tie on the sort field: in id order, or the reverse. */
  ties: 'id' | 'reverse';
  /** Records without the sort field: after the rest, or before. */
  missing: 'last' | 'first';
}

/** A plausible mockapi.io, taking the given side at each open point. */
function referenceList(
  records: readonly ModelRecord[],
  query: ModelQuery,
  leeway: Leeway,
): { status: number; body: unknown } {
  const has = (value: unknown, term: string) =>
    typeof value === 'string' && value.toLowerCase().includes(term.toLowerCase());
  let matches = records.filter(
    (r) =>
      (query.filter === undefined || has(r[query.filter.field], query.filter.value)) &&
      (query.search === undefined ||
        Object.entries(r).some(
          ([k, v]) => k !== 'id' && k !== 'createdAt' && has(v, query.search ?? ''),
        )),
  );
  if (leeway.ties === 'reverse') matches.reverse();
  const field = query.sortBy;
  if (field !== undefined) {
    const sign = query.order === 'desc' ? -1 : 1;
    const missingLast = leeway.missing === 'last' ? 1 : -1;
    matches = [...matches].sort((a, b) => {
      const [x, y] = [a[field], b[field]];
      if (x === undefined || y === undefined)
        return missingLast * (Number(x === undefined) - Number(y === undefined));
      if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
      if (typeof x === 'string' && typeof y === 'string') return sign * leeway.collate(x, y);
      return 0;
    });
  }
  let limit = query.limit;
  if (query.page === undefined && leeway.bareLimit === 'ignore') limit = undefined;
  if (query.page !== undefined && query.limit === undefined && leeway.pageAlone !== 'ignore')
    limit = leeway.pageAlone;
  const offset = limit === undefined ? 0 : ((query.page ?? 1) - 1) * limit;
  const page = matches.slice(offset, limit === undefined ? undefined : offset + limit);
  return page.length === 0 ? { status: 404, body: 'Not found' } : { status: 200, body: page };
}

const recordsArb = fc
  .array(
    fc.record(
      {
        name: fc.oneof(clientString(), fc.constantFrom('alpha', 'Bravo', 'charlie')),
        age: fc.integer(),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 8 },
  )
  .map((list) => list.map((fields, i) => user(i + 1, fields)));

const queryArb: fc.Arbitrary<ModelQuery> = fc.record(
  {
    filter: fc.record({ field: fc.constant('name'), value: fc.constantFrom('a', 'r', 'é', 'zz') }),
    search: fc.constantFrom('a', 'li', 'o'),
    sortBy: fc.constantFrom('name', 'age', 'id', 'createdAt'),
    order: fc.constantFrom('asc' as const, 'desc' as const),
    page: fc.integer({ min: 1, max: 3 }),
    limit: fc.integer({ min: 1, max: 4 }),
  },
  { requiredKeys: [] },
);

const COLLATIONS: ((a: string, b: string) => number)[] = [
  (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  (a, b) => a.localeCompare(b),
  (a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }),
];

test.describe('the prediction against a plausible backend', () => {
  test('accepts what a backend answers whichever side it takes at each open point', () => {
    const leewayArb: fc.Arbitrary<Leeway> = fc.record({
      collate: fc.constantFrom(...COLLATIONS),
      bareLimit: fc.constantFrom('apply' as const, 'ignore' as const),
      pageAlone: fc.oneof(fc.constant('ignore' as const), fc.integer({ min: 1, max: 10 })),
      ties: fc.constantFrom('id' as const, 'reverse' as const),
      missing: fc.constantFrom('last' as const, 'first' as const),
    });
    fc.assert(
      fc.property(recordsArb, queryArb, leewayArb, (records, query, leeway) => {
        const { status, body } = referenceList(records, query, leeway);
        expect(checkList(predictList(records, query), status, body)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  test('rejects the same answer reversed whenever the order was certain', () => {
    fc.assert(
      fc.property(recordsArb, fc.constantFrom('age', 'id', 'createdAt'), (records, sortBy) => {
        const query: ModelQuery = { sortBy };
        const { body } = referenceList(records, query, {
          collate: COLLATIONS[0] ?? ((a, b) => a.localeCompare(b)),
          bareLimit: 'apply',
          pageAlone: 'ignore',
          ties: 'id',
          missing: 'last',
        });
        const list = Array.isArray(body) ? (body as ModelRecord[]) : [];
        const distinct = new Set(list.map((r) => JSON.stringify(r[sortBy]))).size;
        fc.pre(distinct >= 2 && list.every((r) => r[sortBy] !== undefined));
        expect(checkList(predictList(records, query), 200, [...list].reverse())).not.toEqual([]);
      }),
    );
  });
});
