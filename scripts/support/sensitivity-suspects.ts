/**
 * Which spec files of tests/api usually catch each deliberate defect. The sensitivity check runs
 * these first and stops at the first failure; only when they all pass does it run the whole suite.
 * A guess here can cost time, never a verdict: a defect counts as caught only by a test that failed,
 * and one the suspects miss still meets every test of the suite. A defect not listed goes straight
 * to the whole suite.
 */
const CRUD = 'tests/api/crud.spec.ts';
const CONTRACT = 'tests/api/contract.spec.ts';
const LISTING = 'tests/api/listing.spec.ts';
const CONSISTENCY = 'tests/api/consistency.spec.ts';
const EXAMPLE = 'tests/api/example.spec.ts';
/** The coverage floor reaches every value, list and id class on every run (docs/coverage-floor.md). */
const FLOOR = 'tests/api/floor.spec.ts';

const SUSPECTS: Readonly<Record<string, readonly string[]>> = {
  'create-status-200': [CRUD],
  'update-not-persisted': [CRUD],
  'delete-not-persisted': [CRUD],
  'drop-field': [CONTRACT, CRUD],
  'rename-field': [CONTRACT, CRUD],
  'numeric-ids': [CONTRACT],
  'pagination-ignores-limit': [LISTING],
  'sort-reversed': [LISTING],
  'filters-ignored': [LISTING],
  'list-duplicate': [LISTING],
  'missing-id-200': [CONTRACT, CRUD],
  'missing-id-500': [CONTRACT, CRUD],
  'delete-never-visible': [EXAMPLE, CRUD, CONSISTENCY],
  'always-down': [EXAMPLE],
  'created-at-missing': [CONTRACT],
  'empty-query-200': [LISTING],
  'wrong-content-type': [CONTRACT],
  'get-wrong-record': [CRUD, CONTRACT],
  'strings-trimmed': [FLOOR],
  'big-numbers-as-strings': [FLOOR],
  'floats-rounded': [FLOOR],
  'nulls-dropped': [FLOOR],
  'nested-dropped': [FLOOR],
  'emails-lowercased': [FLOOR],
  'search-skips-email': [FLOOR],
  'desc-ignored-by-name': [FLOOR],
  'last-page-short': [FLOOR],
  'filters-case-sensitive': [FLOOR],
  'sort-wrong-over-5': [FLOOR],
  'page-offset-by-one': [FLOOR],
  'second-sort-field-ignored': [FLOOR],
  'search-drops-second-filter': [FLOOR],
  'unicode-normalised': [FLOOR],
  'long-strings-truncated': [FLOOR],
  'whitespace-only-emptied': [FLOOR],
  'deleted-id-reused': [FLOOR],
  'put-unknown-creates': [FLOOR],
  'children-leak-across-parents': [FLOOR],
};

/** The spec files to try first for `defect`; empty when none is known. */
export const suspectsOf = (defect: string): readonly string[] => SUSPECTS[defect] ?? [];
