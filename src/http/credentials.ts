/**
 * Reads the write key from HTTP Basic auth as Segment clients send it: the key is the
 * username, with or without the trailing colon (`base64(writeKey + ":")` or `base64(writeKey)`).
 */
export function basicAuthKey(header: string | undefined): string | undefined {
  if (header === undefined || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const key = colon === -1 ? decoded : decoded.slice(0, colon);
  return key.length > 0 ? key : undefined;
}

/** Reads an admin key from `Authorization: Bearer <key>`. */
export function bearerKey(header: string | undefined): string | undefined {
  if (header === undefined || !header.startsWith('Bearer ')) return undefined;
  const key = header.slice(7).trim();
  return key.length > 0 ? key : undefined;
}
