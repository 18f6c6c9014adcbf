import { expect, test } from '@playwright/test';

import { ConfigError, loadEnvironment } from '../../lib/config/environment';
import { checkApiRoot } from '../../lib/resources/api-root';
import { SUITE_RESOURCES } from '../../lib/suite-resources';

const ROOT = 'https://abc123.mockapi.io/api/v1';

test('a base URL of a resource instead of the API root is rejected, naming the variable', () => {
  for (const url of [`${ROOT}/users`, `${ROOT}/users/`]) {
    const environment = loadEnvironment('qa', { QA_BASE_URL: url });
    expect(() => {
      checkApiRoot(environment, SUITE_RESOURCES);
    }, url).toThrow(ConfigError);
    expect(() => {
      checkApiRoot(environment, SUITE_RESOURCES);
    }, url).toThrow('QA_BASE_URL must be the API root without /users');
  }
});

test('the API root itself, or a root whose last segment only resembles a resource, is accepted', () => {
  for (const url of [ROOT, ROOT.replace('v1', 'users-v1'), 'https://users.example.com']) {
    expect(() => {
      checkApiRoot(loadEnvironment('qa', { QA_BASE_URL: url }), SUITE_RESOURCES);
    }).not.toThrow();
  }
});
