import type { Identifier } from '../identity/identifier.ts';
import { isWritableKey, ownEntry } from './profile-maps.ts';

/** Adds an identifier value under its type unless already there; values stay in first-seen order. */
export function addIdentifier(identifiers: Record<string, string[]>, { type, value }: Identifier): void {
  const values = ownEntry(identifiers, type);
  if (values === undefined) {
    if (isWritableKey(type)) identifiers[type] = [value];
  } else if (!values.includes(value)) {
    values.push(value);
  }
}
