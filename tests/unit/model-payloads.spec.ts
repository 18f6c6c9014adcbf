import { expect, test } from '@playwright/test';
import fc from 'fast-check';

import type { Json } from '../../lib/model/json';
import type { ModelRecord } from '../../lib/model/list-semantics';
import {
  clientNumber,
  clientString,
  emailLocalPart,
  objectFor,
  RESERVED_FIELD_NAMES,
} from '../../lib/model/payloads';
import { querySpec, resolveQuery, type TermSource } from '../../lib/model/query-spec';
import { NewUserSchema } from '../../lib/users/user-schema';

const SEED = 20_260_115;
const sample = <T>(arb: fc.Arbitrary<T>, numRuns = 2000) => fc.sample(arb, { seed: SEED, numRuns });

function keysOf(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

test.describe('generated payloads', () => {
  const payloads = objectFor(NewUserSchema, { leave: ['email'] });

  test('follow the schema where it names a field: name a string, avatar a string or absent', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        expect(NewUserSchema.safeParse({ ...payload, email: 'a@x.io' }).success).toBe(true);
        expect(payload).not.toHaveProperty('email');
      }),
    );
  });

  test('never use a reserved field name, at any depth', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        for (const key of keysOf(payload)) expect(RESERVED_FIELD_NAMES.has(key), key).toBe(false);
      }),
    );
  });

  test('a PATCH body may leave out any field', () => {
    const patches = sample(objectFor(NewUserSchema, { leave: ['email'], partial: true }), 500);
    expect(patches.some((p) => !('name' in p))).toBe(true);
    expect(patches.some((p) => Object.keys(p).length === 0)).toBe(true);
  });

  test('strings cover unicode, whitespace at the edges, long and empty ones', () => {
    const strings = sample(clientString());
    const seen = (what: string, test: (s: string) => boolean) => {
      expect(strings.some(test), what).toBe(true);
    };
    seen('empty', (s) => s === '');
    seen('long', (s) => s.length >= 256);
    seen('leading whitespace', (s) => /^\s/.test(s));
    seen('trailing whitespace', (s) => /\s$/.test(s));
    seen('combining marks', (s) => /\p{M}/u.test(s));
    seen('emoji', (s) => /\p{Extended_Pictographic}/u.test(s));
    seen('right-to-left', (s) => /[\u0590-\u08FF]/.test(s));
    seen('mixed case', (s) => /[a-z]/.test(s) && /[A-Z]/.test(s));
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    expect(strings.filter((s) => loneSurrogate.test(s))).toEqual([]);
  });

  test('numbers cover large, fractional and negative values, none that JSON cannot carry', () => {
    const numbers = sample(clientNumber());
    expect(numbers.some((n) => Number.isInteger(n) && !Number.isSafeInteger(n))).toBe(true);
    expect(numbers.some((n) => !Number.isInteger(n))).toBe(true);
    expect(numbers.some((n) => n < 0)).toBe(true);
    expect(numbers.filter((n) => !Number.isFinite(n))).toEqual([]);
  });

  test('values beyond the schema cover null, booleans, nested objects and arrays', () => {
    const extras = sample(payloads).flatMap((p) =>
      Object.entries(p)
        .filter(([k]) => k !== 'name' && k !== 'avatar')
        .map(([, v]) => v),
    );
    expect(extras).toContain(null);
    expect(extras.some((v) => typeof v === 'boolean')).toBe(true);
    expect(extras.some((v) => Array.isArray(v))).toBe(true);
    expect(extras.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v))).toBe(true);
  });

  test('an email local part never carries "+" or "@", so the run tag after it stays intact', () => {
    expect(sample(emailLocalPart()).filter((local) => /[+@\s]/.test(local))).toEqual([]);
  });
});

test.describe('generated list queries', () => {
  const users: ModelRecord[] = [
    { id: '1', createdAt: 'x', name: '👩‍👩‍👧‍👦 Zoë', email: 'A.mb1+t@example.com', age: 4 },
    { id: '2', createdAt: 'y', name: '   ', email: 'b.mb1+t@example.com', bio: 'שלום' },
  ];
  const SCOPE = { field: 'email', scope: 'mb1' };

  test('terms are pieces of real values, never empty, always sendable in a URL', () => {
    fc.assert(
      fc.property(querySpec(), (spec) => {
        const query = resolveQuery(spec, users, SCOPE);
        for (const term of [query.filter?.value, query.search]) {
          if (term === undefined) continue;
          expect(term.trim()).not.toBe('');
          expect(() => encodeURIComponent(term)).not.toThrow();
        }
        expect(['email', 'id', 'createdAt']).not.toContain(query.filter?.field);
      }),
    );
  });

  test('page and limit come together, alone or not at all; an order only with a sort', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(querySpec(), (spec) => {
        const query = resolveQuery(spec, users, SCOPE);
        seen.add(`${query.page !== undefined}/${query.limit !== undefined}`);
        if (query.order !== undefined) expect(query.sortBy).toBeDefined();
      }),
      { numRuns: 500 },
    );
    expect([...seen].sort()).toEqual(['false/false', 'false/true', 'true/false', 'true/true']);
  });

  test('a term cut from the email comes from its local part, which a replay recreates', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(querySpec(), (spec) => {
        const sources: { search?: TermSource } = {};
        const query = resolveQuery(spec, users, SCOPE, sources);
        if (sources.search?.field !== 'email' || query.search === undefined) return;
        seen.add(query.search);
        const local = String(users[sources.search.user]?.email).split('.mb1')[0];
        expect(local).toContain(query.search);
      }),
      { numRuns: 2000 },
    );
    // Never the scope, the run's tag or the domain, yet the local parts are reached.
    expect([...seen].sort()).toEqual(['A', 'b']);
  });

  test('with no users yet, a query still resolves', () => {
    fc.assert(
      fc.property(querySpec(), (spec) => {
        expect(() => resolveQuery(spec, [], SCOPE)).not.toThrow();
      }),
    );
  });
});
