/** Variable names whose values are credentials: every `<ENV>_API_TOKEN`, the embedded server's `MOCK_TOKEN`, and the like. */
export const SECRET_VARIABLE = /(^|_)(API_TOKEN|TOKEN|SECRET|PASSWORD|API_KEY)$/i;

/** Whether a variable holds a credential, so that messages echo its value masked. */
export function isSecretVariable(name: string): boolean {
  return SECRET_VARIABLE.test(name);
}

/**
 * The secret values configured in an environment (the shell, .env, CI secrets), longest first:
 * what a log line or report built from a server's answer must never repeat.
 */
export function configuredSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
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
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value = env[variable]?.trim() ?? '';
  return value === '' ? undefined : value;
}
