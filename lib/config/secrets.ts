import fs from 'node:fs';

import dotenv from 'dotenv';

/** Variable names whose values are credentials: every `<ENV>_API_TOKEN`, the embedded server's `MOCK_TOKEN`, and the like. */
export const SECRET_VARIABLE = /(^|_)(API_TOKEN|TOKEN|SECRET|PASSWORD|API_KEY)$/i;

/** Whether a variable holds a credential, so that messages echo its value masked. */
export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLE.test(name);
}

/** Credentials read from `.env`: kept here, never in `process.env` (see {@link loadDotenv}). */
const dotenvSecrets: Record<string, string> = {};

/**
 * Reads `.env` (or `DOTENV_CONFIG_PATH`); the shell wins over it, as with dotenv. Settings go to
 * `process.env`; credentials stay in this module. Playwright's test server (UI mode, the VS Code
 * extension) sends the client every variable that loading the config added to `process.env`, and the
 * extension logs it: a token from `.env` must not be one of them.
 */
export function loadDotenv(file: string = process.env.DOTENV_CONFIG_PATH ?? '.env'): void {
  if (!fs.existsSync(file)) return;
  const parsed = dotenv.parse(fs.readFileSync(file));
  for (const [name, value] of Object.entries(parsed)) {
    if (process.env[name] !== undefined) continue;
    if (isSecretVariable(name)) dotenvSecrets[name] = value;
    else process.env[name] = value;
  }
}

/** The variables configuration reads: the shell's, over the credentials `.env` holds. */
export function environmentVariables(): NodeJS.ProcessEnv {
  return { ...dotenvSecrets, ...process.env };
}

/**
 * The secret values configured in an environment (the shell, .env, CI secrets), longest first:
 * what a log line or report built from a server's answer must never repeat.
 */
export function configuredSecrets(env: NodeJS.ProcessEnv = environmentVariables()): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim() ?? '';
    if (isSecretVariable(name) && trimmed !== '') values.add(trimmed);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * The value of a credential variable at the moment a request goes on the wire; undefined when unset.
 * The only place the framework reads a token: configuration carries the variable's name alone, so
 * no `use` option, report or trace can hold the value.
 */
export function secretValue(
  variable: string,
  env: NodeJS.ProcessEnv = environmentVariables(),
): string | undefined {
  const value = env[variable]?.trim() ?? '';
  return value === '' ? undefined : value;
}
