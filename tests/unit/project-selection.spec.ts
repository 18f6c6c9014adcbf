import { expect, test } from '@playwright/test';

import { isWanted, selectedProjects } from '../../lib/config/project-selection';

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
