/** How one identifier type takes part in matching and merging. */
export interface IdentifierTypeRule {
  /** Lower numbers win: when a merge would break a limit, the highest numbers are dropped first. */
  priority: number;
  /** How many values of this type one profile may hold; absent means no limit. */
  limit?: number;
}

/** A workspace's identity resolution settings (the `identity:` section of the workspace file). */
export interface IdentityRules {
  /** Rules per identifier type; types not listed use `defaultRule`. */
  types: Record<string, IdentifierTypeRule>;
  /** Rule for custom types that are not listed in `types`. */
  defaultRule: IdentifierTypeRule;
  /** Values that never become identifiers, compared case-insensitively after trimming. */
  blockedValues: string[];
  /** ISO 3166 country used to read phone numbers written without a country code. */
  defaultCountry?: string;
}

/** Segment-like defaults: one `user_id` per profile, and it outranks everything else. */
export const DEFAULT_IDENTITY_RULES: IdentityRules = {
  types: {
    user_id: { priority: 1, limit: 1 },
    email: { priority: 2, limit: 5 },
    phone: { priority: 3, limit: 5 },
    whatsapp: { priority: 4, limit: 5 },
    anonymous_id: { priority: 100, limit: 1000 },
  },
  defaultRule: { priority: 50, limit: 5 },
  blockedValues: [
    'null',
    'undefined',
    'anonymous',
    'unknown',
    'none',
    'nil',
    'n/a',
    'na',
    '0',
    '-1',
    'true',
    'false',
    '[object object]',
    '00000000-0000-0000-0000-000000000000',
    'test@test.com',
  ],
};
