import { type Options, Packr } from 'msgpackr';
import type { ProfileState } from './profile.ts';

/**
 * One encoding of a profile for everything that keeps it as bytes (the store, a cache of
 * clean profiles): MessagePack, self-describing (no shared record structures), so bytes written
 * by one process read back in any other. `undefined` fields are left out, as JSON leaves them
 * (`skipValues` is msgpackr's option for that, missing from its type declarations).
 */
const packr = new Packr({ useRecords: false, skipValues: [undefined] } as Options & {
  skipValues: unknown[];
});

/** A profile as bytes. */
export function encodeProfile(profile: ProfileState): Uint8Array {
  return packr.pack(profile);
}

/** The profile `encodeProfile` wrote. */
export function decodeProfile(bytes: Uint8Array): ProfileState {
  return packr.unpack(bytes) as ProfileState;
}
