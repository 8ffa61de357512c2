import type { ContactCapDef } from '../decide/decision-def.ts';

/** A contact as made: to whom, on which channel, when. */
export interface MadeContact {
  person: string;
  channel: string;
  at: number;
}

/**
 * Counts contacts that break the rules, checked apart from the engine: a contact on a channel
 * the person refused (`refused(person, channel)`), and each contact past a cap — more than `max`
 * on the cap's channel (or any) within `perMs` ending at it.
 */
export function countViolations(input: {
  contacts: readonly MadeContact[];
  caps: readonly ContactCapDef[];
  refused: (person: string, channel: string) => boolean;
}): { consent: number; caps: number } {
  let consent = 0;
  let caps = 0;
  const byPerson = new Map<string, MadeContact[]>();
  for (const contact of input.contacts) {
    if (input.refused(contact.person, contact.channel)) consent += 1;
    const list = byPerson.get(contact.person) ?? [];
    list.push(contact);
    byPerson.set(contact.person, list);
  }
  for (const list of byPerson.values()) {
    list.sort((a, b) => a.at - b.at);
    for (const cap of input.caps) {
      const times = list
        .filter((c) => cap.channel === undefined || c.channel === cap.channel)
        .map((c) => c.at);
      let first = 0;
      for (let i = 0; i < times.length; i += 1) {
        const at = times[i] ?? 0;
        while ((times[first] ?? 0) <= at - cap.perMs) first += 1;
        if (i - first + 1 > cap.max) caps += 1;
      }
    }
  }
  return { consent, caps };
}
