// @ts-check
// The layering rules of this repository, checked by `npm run check` (`npm run deps`). Why each
// rule exists: docs/architecture.md.

/**
 * The floors of lib/, from the ground up. A file may import its own floor and any floor below it,
 * never one above. A new folder or root file of lib/ must be given a floor here (rule
 * `lib-unlayered`).
 */
const LAYERS = [
  { name: 'logging', paths: ['lib/logging/'] },
  { name: 'http', paths: ['lib/http/'] },
  { name: 'config', paths: ['lib/config/'] },
  { name: 'resources', paths: ['lib/resources/'] },
  { name: 'openapi', paths: ['lib/openapi/'] },
  { name: 'users and posts', paths: ['lib/users/', 'lib/posts/'] },
  { name: 'suite resources', paths: ['lib/suite-resources.ts'] },
  { name: 'session', paths: ['lib/session/'] },
  { name: 'model', paths: ['lib/model/'] },
  { name: 'floor', paths: ['lib/floor/'] },
  { name: 'preflight', paths: ['lib/preflight.ts', 'lib/preflight-embedded.ts'] },
  { name: 'reporting', paths: ['lib/reporting/'] },
  { name: 'repro', paths: ['lib/repro/'] },
  { name: 'fixtures and global setup', paths: ['lib/fixtures.ts', 'lib/global-setup.ts'] },
];

/** @param {string[]} paths */
const pattern = (paths) =>
  `^(${paths.map((p) => p.replaceAll('.', '\\.') + (p.endsWith('/') ? '' : '$')).join('|')})`;

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `lib-layer-${layer.name.replaceAll(' ', '-')}`,
  comment: `lib/ floor "${layer.name}" imports only its own floor and those below it: ${LAYERS.slice(
    0,
    index + 1,
  )
    .map((l) => l.name)
    .join(', ')}`,
  severity: 'error',
  from: { path: pattern(layer.paths) },
  to: { path: pattern(LAYERS.slice(index + 1).flatMap((l) => l.paths)) },
}));

const layered = pattern(LAYERS.flatMap((l) => l.paths));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lib-not-outside',
      comment: 'lib/ is the framework: it imports nothing from scripts/, server/ or tests/',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(scripts|server|tests)/' },
    },
    {
      name: 'server-not-lib',
      comment:
        'server/ shares no code with lib/ (nor scripts/, tests/): the suite expects what the contract says, not what the implementation does',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(lib|scripts|tests)/' },
    },
    {
      name: 'playwright-config-not-scripts',
      comment: 'playwright.config.ts imports lib/ only, never scripts/',
      severity: 'error',
      from: { path: '^playwright\\.config\\.ts$' },
      to: { path: '^(scripts|tests)/' },
    },
    {
      name: 'lib-unlayered',
      comment:
        'every file of lib/ stands on a floor: add its folder to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^lib/', pathNot: layered },
      to: {},
    },
    {
      name: 'lib-unlayered-target',
      comment:
        'every file of lib/ stands on a floor: add its folder to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: {},
      to: { path: '^lib/', pathNot: layered },
    },
    {
      name: 'no-circular',
      comment:
        'files that import each other stand on no floor: move what both need into a third file',
      severity: 'error',
      from: { path: '^(lib|server|scripts)/' },
      to: { circular: true },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|test-results|playwright-report|allure-results)/' },
    // `import type` counts: a type-only import ties the floors as firmly as any other.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
