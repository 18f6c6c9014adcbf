import { isSecretVariable } from './secrets';

/**
 * A variable's value as a message quotes it: `"abc"`, or only its length for a credential
 * (`*_TOKEN`, `*_SECRET`, `*_PASSWORD`, `*_API_KEY`), so a message can show what was set without
 * leaking it.
 */
export function quotedValue(variable: string, value: string): string {
  return isSecretVariable(variable)
    ? `a ${value.length}-character value (masked)`
    : JSON.stringify(value);
}

/** `LOCAL_PORT is "abc"; expected a port number 1–65535`: the one form of a bad setting. */
export function badSetting(variable: string, value: string, expected: string): string {
  return `${variable} is ${quotedValue(variable, value)}; expected ${expected}`;
}
