import { expect, test } from '@playwright/test';

import {
  carriesToken,
  FLOOR_RECORDS,
  fieldToken,
  floorQueries,
  floorRecords,
  floorShape,
} from '../../lib/floor/floor-plan';
import { pairwise } from '../../lib/floor/pairwise';

const text = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

const users = floorShape('email', { name: 'Ann', email: 'a+t@example.com', avatar: 'x' });

test.describe('coverage floor plan', () => {
  test('pairwise covers every pair of levels of every two factors, in fewer rows than the product', () => {
    const levels = [3, 4, 4, 5];
    const rows = pairwise(levels);
    for (let f = 0; f < levels.length; f += 1)
      for (let g = f + 1; g < levels.length; g += 1)
        for (let a = 0; a < (levels[f] ?? 0); a += 1)
          for (let b = 0; b < (levels[g] ?? 0); b += 1)
            expect(
              rows.some((row) => row[f] === a && row[g] === b),
              `pair ${f}:${a} × ${g}:${b}`,
            ).toBe(true);
    expect(rows.length).toBeLessThan(3 * 4 * 4 * 5);
    expect(rows.length).toBeGreaterThanOrEqual(4 * 5);
    expect(pairwise(levels)).toEqual(rows);
  });

  test('the shape comes from the declaration: string fields, the unique one apart', () => {
    expect(users).toEqual({
      scopeField: 'email',
      textFields: ['avatar', 'name'],
      sortFields: ['avatar', 'name', 'email', 'id', 'createdAt'],
    });
  });

  test("each field's token is in that field only, in 5 of the 7 records, both letter cases", () => {
    const records = floorRecords(users);
    expect(records).toHaveLength(FLOOR_RECORDS);
    users.textFields.forEach((field, j) => {
      const token = fieldToken(j);
      const holders = records.filter((r) => text(r.fields[field]).toLowerCase().includes(token));
      expect(holders).toHaveLength(5);
      expect(holders.some((r) => text(r.fields[field]).includes(token.toUpperCase()))).toBe(true);
      for (const record of records)
        for (const [other, value] of Object.entries(record.fields))
          if (other !== field) expect(text(value).toLowerCase()).not.toContain(token);
    });
    expect(records.filter((_, i) => carriesToken(users.textFields.length, i))).toHaveLength(5);
  });

  test('every sort field is queried in both orders, and every page size from 1 past the records', () => {
    const queries = floorQueries(users).map((q) => q.query);
    for (const sortBy of users.sortFields)
      for (const order of ['asc', 'desc']) expect(queries).toContainEqual({ sortBy, order });
    const limits = new Set(queries.filter((q) => q.page !== undefined).map((q) => q.limit));
    for (let limit = 1; limit <= FLOOR_RECORDS + 1; limit += 1) expect(limits).toContain(limit);
    expect(queries.some((q) => q.filter !== undefined && q.search !== undefined)).toBe(true);
  });
});
