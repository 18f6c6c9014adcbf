import { expect, test } from '@playwright/test';

import {
  describeUnmatchedSelection,
  isWanted,
  type PendingEnvironment,
  selectedProjects,
  unmatchedSelection,
} from '../../lib/config/project-selection';

const argv = (...args: string[]) => ['node', 'playwright', 'test', ...args];
const DEFAULTS = ['unit', 'server', 'local'];

test.describe('selectedProjects', () => {
  test('no --project selects nothing', () => {
    expect(selectedProjects(argv())).toEqual([]);
    expect(selectedProjects(argv('--list', 'tests/unit'))).toEqual([]);
  });

  test('reads --project=x and --project x, lower-cased', () => {
    expect(selectedProjects(argv('--project=QA'))).toEqual(['qa']);
    expect(selectedProjects(argv('--project', 'staging', '--list'))).toEqual(['staging']);
  });

  test('--project takes every value up to the next option, as Playwright does', () => {
    expect(selectedProjects(argv('--project', 'unit', 'qa', '--list'))).toEqual(['unit', 'qa']);
    expect(selectedProjects(argv('--project', 'unit', '--project=local'))).toEqual([
      'unit',
      'local',
    ]);
  });

  test('--project=x takes one value; what follows is a test filter', () => {
    expect(selectedProjects(argv('--project=unit', 'retry'))).toEqual(['unit']);
  });

  test('comma-separated values and stray whitespace are tolerated', () => {
    expect(selectedProjects(argv('--project=unit, server'))).toEqual(['unit', 'server']);
  });

  test('arguments after -- are not read', () => {
    expect(selectedProjects(argv('--project', 'unit', '--', 'qa'))).toEqual(['unit']);
  });

  test('a trailing --project without a value selects nothing', () => {
    expect(selectedProjects(argv('--project'))).toEqual([]);
  });
});

test.describe('isWanted', () => {
  test('without a selection, only the defaults are wanted', () => {
    expect(isWanted('local', [], DEFAULTS)).toBe(true);
    expect(isWanted('qa', [], DEFAULTS)).toBe(false);
    expect(isWanted('local-faults', [], DEFAULTS)).toBe(false);
  });

  test('a selection replaces the defaults', () => {
    expect(isWanted('qa', ['qa'], DEFAULTS)).toBe(true);
    expect(isWanted('local', ['qa'], DEFAULTS)).toBe(false);
  });

  test('matching ignores case', () => {
    expect(isWanted('Staging', ['staging'], DEFAULTS)).toBe(true);
  });

  test('a * wildcard matches any run of characters', () => {
    expect(isWanted('local', ['loc*'], DEFAULTS)).toBe(true);
    expect(isWanted('local-faults', ['local*'], DEFAULTS)).toBe(true);
    expect(isWanted('qa', ['*'], DEFAULTS)).toBe(true);
    expect(isWanted('staging', ['loc*'], DEFAULTS)).toBe(false);
  });

  test('a name must match whole, and other characters are literal', () => {
    expect(isWanted('local-faults', ['local'], DEFAULTS)).toBe(false);
    expect(isWanted('local', ['l.cal'], DEFAULTS)).toBe(false);
    expect(isWanted('qa', ['q?'], DEFAULTS)).toBe(false);
  });
});

test.describe('a --project that names no project', () => {
  const projects = ['unit', 'server', 'local', 'local-faults', 'scripts', 'reporting'];
  const unset: PendingEnvironment[] = (['staging', 'qa', 'production'] as const).map((name) => ({
    name,
    variable: `${name.toUpperCase()}_BASE_URL`,
    state: 'unset',
  }));

  test('is found by Playwright’s rules: names case-insensitively, * patterns as a whole', () => {
    expect(unmatchedSelection(['unit'], projects)).toEqual([]);
    expect(unmatchedSelection(['local-faults', 'unit'], projects)).toEqual([]);
    expect(unmatchedSelection(['l*'], projects)).toEqual([]);
    expect(unmatchedSelection(['*'], projects)).toEqual([]);
    // A pattern that matches nothing is fine beside a selection that does, as Playwright has it.
    expect(unmatchedSelection(['q*', 'unit'], projects)).toEqual([]);
    expect(unmatchedSelection(['qaa'], projects)).toEqual(['qaa']);
    expect(unmatchedSelection(['unit', 'qaa'], projects)).toEqual(['qaa']);
    expect(unmatchedSelection(['q*'], projects)).toEqual(['q*']);
    expect(unmatchedSelection([], projects)).toEqual([]);
  });

  test('the line lists every project and the variable that makes each remote one appear', () => {
    expect(describeUnmatchedSelection(['qaa'], projects, unset)).toBe(
      'no project "qaa": projects are unit, server, local, local-faults, scripts, reporting, and staging/qa/production once STAGING_BASE_URL/QA_BASE_URL/PRODUCTION_BASE_URL is set (QA_BASE_URL is not set)',
    );
    expect(describeUnmatchedSelection(['q*'], projects, unset)).toMatch(
      /^no project matches "q\*": .* \(QA_BASE_URL is not set\)$/,
    );
  });

  test('a configured environment is listed; a broken one is said to be broken; a near name is offered', () => {
    const qaOnly = [...projects, 'qa'];
    const rest = unset.filter((p) => p.name !== 'qa');
    expect(describeUnmatchedSelection(['stagin'], qaOnly, rest)).toBe(
      'no project "stagin": projects are unit, server, local, local-faults, scripts, reporting, qa, and staging/production once STAGING_BASE_URL/PRODUCTION_BASE_URL is set (STAGING_BASE_URL is not set)',
    );
    const broken = unset.map((p) => (p.name === 'qa' ? { ...p, state: 'invalid' as const } : p));
    expect(describeUnmatchedSelection(['qaa'], projects, broken)).toContain(
      '(QA_BASE_URL is set but not valid: --project=qa says why)',
    );
    expect(describeUnmatchedSelection(['lcoal'], projects, unset)).toMatch(
      /is set; did you mean "local"\?$/,
    );
    expect(describeUnmatchedSelection(['zzz'], projects, unset)).toMatch(/is set$/);
  });
});
