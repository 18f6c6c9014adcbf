/** Orders mockapi.io ids: numeric strings by value, anything else after them as text. */
export function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a.localeCompare(b);
}

/** The id in a JSON body (`{"id": "7"}` or a number), if it has one. */
export function idOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { id?: unknown };
    return typeof body.id === 'string' || typeof body.id === 'number' ? String(body.id) : undefined;
  } catch {
    return undefined;
  }
}
