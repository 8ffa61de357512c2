/**
 * A typed id pointing at one profile: `user_id`, `anonymous_id`, `email`, `phone`, or any
 * custom or channel type (`whatsapp`, `hubspot_id`). Values are normalized before use.
 */
export interface Identifier {
  type: string;
  value: string;
}

/** The canonical `type:value` form used as a map key and in profile references. */
export function identifierKey(identifier: Identifier): string {
  return `${identifier.type}:${identifier.value}`;
}

/** Parses `type:value` (the value may itself contain colons); undefined when malformed. */
export function parseIdentifierKey(key: string): Identifier | undefined {
  const at = key.indexOf(':');
  if (at <= 0 || at === key.length - 1) return undefined;
  return { type: key.slice(0, at), value: key.slice(at + 1) };
}
