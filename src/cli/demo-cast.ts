import { ApiError, type Connection, callApi } from './connection.ts';

/** One person of the demo: the identifiers the story gives them. */
export interface DemoPerson {
  userId: string;
  /** Their email as the sign-up form sends it (the profile holds it normalized), if any. */
  email?: string;
  /** Their phone in E.164, which is also their WhatsApp number. */
  phone: string;
}

/**
 * The people of one demo run. The first run uses the identifiers the README quotes; each later
 * run on the same data gets people of its own (`USR_4096_2`, `meera+2@example.com`, another
 * number), since the first run's Meera is a customer by now and was messaged today: told again
 * with the same people, the story could not happen again. No two people of any run, of the
 * README's examples or of `examples/demo/events.jsonl` share an identifier.
 */
export interface DemoCast {
  /** 1 for the first run on a database, then 2, 3, … */
  run: number;
  /** The lead of the story: a high-intent visitor who abandons her checkout. */
  meera: DemoPerson & { email: string; anonymousId: string };
  /** A lead messaged on WhatsApp an hour ago, so capped now. */
  arjun: DemoPerson;
  /** A repeat customer, who gets a loyalty text and answers STOP. */
  kavya: DemoPerson & { email: string };
  /** Makes a provider message id unique to the run (ids are deduplicated). */
  messageId(name: string): string;
}

/** How many runs the demo looks past before giving up on finding fresh people. */
const MAX_RUNS = 1_000;

/** The people of run `run` (1 is the first). */
export function demoCast(run: number): DemoCast {
  const suffix = run === 1 ? '' : `_${run}`;
  const email = (name: string) => (run === 1 ? `${name}@example.com` : `${name}+${run}@example.com`);
  // The last three digits count the runs, so each run's numbers are new and stay valid.
  const phone = (e164: string) =>
    run === 1
      ? e164
      : `${e164.slice(0, -3)}${String((Number(e164.slice(-3)) + run - 1) % 1_000).padStart(3, '0')}`;
  return {
    run,
    meera: {
      userId: `USR_4096${suffix}`,
      email: email('meera'),
      phone: phone('+919820155555'),
      anonymousId: `demo-visitor-7f3a${suffix}`,
    },
    arjun: { userId: `USR_5120${suffix}`, phone: phone('+919845012345') },
    kavya: { userId: `USR_2048${suffix}`, email: email('kavya'), phone: phone('+919900011122') },
    messageId: (name) => `wamid.demo-${name}${suffix}`,
  };
}

/**
 * The cast of the next demo run on the server: the first run whose Meera the server does not
 * know yet, so `npm run demo` can be run again on the same data and tell the same story.
 */
export async function nextDemoCast(connection: Connection): Promise<DemoCast> {
  for (let run = 1; run <= MAX_RUNS; run += 1) {
    const cast = demoCast(run);
    const ref = encodeURIComponent(`email:${cast.meera.email}`);
    try {
      await callApi({ connection, method: 'GET', path: `/v1/profiles/${ref}`, auth: 'admin' });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return cast;
      throw error;
    }
  }
  throw new Error(`the demo ran ${MAX_RUNS} times on this data: start Tailor on a fresh data directory`);
}
