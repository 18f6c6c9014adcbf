/** Variable names whose values are credentials: every `<ENV>_API_TOKEN`, the embedded server's `MOCK_TOKEN`, and the like. */
const SECRET_VARIABLE = /(^|_)(API_TOKEN|TOKEN|SECRET|PASSWORD|API_KEY)$/i;

/** Shorter values are not treated as secrets: masking `true` or `1` everywhere would corrupt artifacts. */
export const MIN_SECRET_LENGTH = 4;

/**
 * The secret values configured in an environment (the shell, .env, CI secrets): whatever a report,
 * trace or log must never contain. Longest first, so a secret that contains another is masked whole.
 */
export function configuredSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim() ?? '';
    if (SECRET_VARIABLE.test(name) && trimmed.length >= MIN_SECRET_LENGTH) values.add(trimmed);
  }
  return [...values].sort((a, b) => b.length - a.length);
}
