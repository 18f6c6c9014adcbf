import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an Authorization header carries the expected bearer token. Hashing
 * both sides first gives equal-length buffers, so the comparison takes the
 * same time whatever the client sent.
 */
export function hasBearerToken(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(.+)$/i.exec(header?.trim() ?? '');
  const sent = match?.[1];
  if (sent === undefined) return false;
  return timingSafeEqual(digest(sent), digest(token));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
