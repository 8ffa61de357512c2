import { Type } from 'typebox';

/**
 * The raw shape of the `channels` section of the workspace file: the providers Tailor sends
 * through, part of `WorkspaceFileSchema`. Secrets are written `${NAME}` and read from the
 * environment when Tailor starts. Descriptions are written for users: they show up in error
 * messages and API docs.
 */

/** A secret field's schema; `what` says what the secret is. */
function secretSchema(what: string) {
  return Type.String({
    minLength: 1,
    description: `${what}: write \${NAME} to read the environment variable NAME when Tailor starts (a literal value only for a local server).`,
    examples: [`\${TAILOR_SECRET_SMTP_PASSWORD}`],
  });
}

/** A URL field's schema; `what` says where it points. */
function urlSchema(what: string) {
  return Type.String({
    minLength: 1,
    description: `${what}: an https: URL (http: only for a server on 127.0.0.1, localhost or ::1).`,
  });
}

const RatePerSecondSchema = Type.Integer({
  minimum: 1,
  maximum: 1000,
  description: 'At most this many sends start each second on the channel, from 1 to 1000; default 50.',
});

/** The `channels.email` section: SMTP. */
export const EmailChannelSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'The SMTP server, like smtp.example.com.' }),
    port: Type.Integer({
      minimum: 1,
      maximum: 65535,
      description: 'The SMTP port, from 1 to 65535, like 587, or 465 with `secure: true`.',
    }),
    secure: Type.Optional(
      Type.Boolean({
        description: 'TLS from the first byte (port 465); otherwise STARTTLS when the server offers it.',
      }),
    ),
    user: Type.Optional(Type.String({ minLength: 1, description: 'The SMTP user; needs a `password`.' })),
    password: Type.Optional(secretSchema('The SMTP password')),
    from: Type.String({
      minLength: 1,
      description: 'The sender, like Tailor Demo <hello@example.com>.',
    }),
    link_base_url: urlSchema("Tailor's public URL, where unsubscribe and click-tracking links point"),
    link_secret: secretSchema('The key that signs unsubscribe and click links, at least 16 characters'),
    rate_per_second: Type.Optional(RatePerSecondSchema),
  },
  { additionalProperties: false, description: 'Email over SMTP.' },
);

/** The `channels.whatsapp` section: the WhatsApp Business Cloud API. */
export const WhatsAppChannelSchema = Type.Object(
  {
    base_url: Type.Optional(
      urlSchema('The Graph API root with its version; default https://graph.facebook.com/v21.0'),
    ),
    phone_number_id: Type.String({
      minLength: 1,
      description: 'The id of the business phone number (not the number itself), quoted, like "1234567890".',
    }),
    access_token: secretSchema('A system-user access token with whatsapp_business_messaging'),
    app_secret: secretSchema('The app secret, which verifies the signature of webhooks'),
    verify_token: secretSchema('The token that answers the webhook verification handshake'),
    rate_per_second: Type.Optional(RatePerSecondSchema),
  },
  { additionalProperties: false, description: 'WhatsApp through the Business Cloud API.' },
);

/** The `channels.sms` section: Twilio's Messages API. */
export const SmsChannelSchema = Type.Object(
  {
    base_url: Type.Optional(urlSchema('The Twilio API root; default https://api.twilio.com')),
    account_sid: Type.String({ minLength: 1, description: 'The Twilio account SID, like AC…' }),
    auth_token: secretSchema("The account's auth token, which also verifies Twilio's callbacks"),
    from: Type.Optional(
      Type.String({ minLength: 1, description: 'The sender number in E.164, like "+15005550006".' }),
    ),
    messaging_service_sid: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'A Messaging Service (MG…) that picks the sender; takes precedence over `from`.',
      }),
    ),
    rate_per_second: Type.Optional(RatePerSecondSchema),
  },
  {
    additionalProperties: false,
    description: 'SMS through Twilio; needs `from` or `messaging_service_sid`.',
  },
);

/** The `channels.rcs` section: RCS through Twilio's Messages API, with SMS fallback. */
export const RcsChannelSchema = Type.Object(
  {
    base_url: Type.Optional(urlSchema('The Twilio API root; default https://api.twilio.com')),
    account_sid: Type.String({ minLength: 1, description: 'The Twilio account SID, like AC…' }),
    auth_token: secretSchema("The account's auth token, which also verifies Twilio's callbacks"),
    messaging_service_sid: Type.String({
      minLength: 1,
      description: 'The Messaging Service (MG…) whose sender pool holds the RCS sender.',
    }),
    fallback_from: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The SMS sender Twilio falls back to when a phone cannot take RCS, in E.164 like "+15005550006"; default: the pool’s other senders.',
      }),
    ),
    rate_per_second: Type.Optional(RatePerSecondSchema),
  },
  {
    additionalProperties: false,
    description: 'RCS through Twilio, falling back to SMS for phones without RCS.',
  },
);

/** The `channels.webhook` section: a signed outbound webhook. */
export const WebhookChannelSchema = Type.Object(
  {
    url: urlSchema('Where each message is POSTed as signed JSON'),
    secret: secretSchema('The shared key both sides sign with'),
    rate_per_second: Type.Optional(RatePerSecondSchema),
  },
  { additionalProperties: false, description: 'A signed outbound webhook (a CRM, an ads audience, Slack…).' },
);

const AdsRatePerSecondSchema = Type.Integer({
  minimum: 1,
  maximum: 100000,
  description: 'At most this many people or events are handed to the platform each second; default 50000.',
});

/** How often an audience channel's lists are reconciled with their segments. */
const ReconcileEverySchema = Type.String({
  description:
    "How often each list is compared with its segment's members and repaired (full reconciliation); default 24h.",
  examples: ['24h', '6h', '7d'],
});

/** Named lists journey steps add people to and remove them from. */
const ListsSchema = Type.Record(
  Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
  Type.String({ minLength: 1 }),
  {
    description:
      'Lists that journey steps add people to or remove them from (`audience: { destination, action }`), by a name of yours: `meta_high_intent: "23850000000000002"`.',
  },
);

/** Segment key → the platform's list that mirrors it. */
function audiencesSchema(what: string, example: string) {
  return Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1 }), {
    description: `Each segment to mirror, by key, with ${what}, like \`high_intent_leads: "${example}"\`.`,
  });
}

/** The `channels.meta_audiences` section: Meta Custom Audiences. */
export const MetaAudiencesChannelSchema = Type.Object(
  {
    base_url: Type.Optional(
      urlSchema('The Graph API root with its version; default https://graph.facebook.com/v21.0'),
    ),
    access_token: secretSchema('A system-user access token with ads_management on the ad account'),
    audiences: audiencesSchema(
      'the id of the customer-file Custom Audience that mirrors it',
      '23850000000000001',
    ),
    rate_per_second: Type.Optional(AdsRatePerSecondSchema),
    reconcile_every: Type.Optional(ReconcileEverySchema),
    lists: Type.Optional(ListsSchema),
  },
  { additionalProperties: false, description: 'Segments mirrored on Meta Custom Audiences (Marketing API).' },
);

/** The `channels.google_customer_match` section: Google Ads Customer Match. */
export const GoogleCustomerMatchChannelSchema = Type.Object(
  {
    base_url: Type.Optional(
      urlSchema('The Google Ads API root with its version; default https://googleads.googleapis.com/v21'),
    ),
    customer_id: Type.String({
      pattern: '^[0-9]{10}$',
      description: "The advertiser's customer id, 10 digits, quoted.",
    }),
    login_customer_id: Type.Optional(
      Type.String({
        pattern: '^[0-9]{10}$',
        description: "The manager account's customer id, when access goes through one.",
      }),
    ),
    developer_token: secretSchema('The Google Ads API developer token'),
    access_token: secretSchema('An OAuth 2.0 access token with the adwords scope'),
    audiences: audiencesSchema(
      'the resource name of the CRM-based user list that mirrors it',
      'customers/1234567890/userLists/987654321',
    ),
    rate_per_second: Type.Optional(AdsRatePerSecondSchema),
    reconcile_every: Type.Optional(ReconcileEverySchema),
    lists: Type.Optional(ListsSchema),
  },
  { additionalProperties: false, description: 'Segments mirrored on Google Ads Customer Match user lists.' },
);

/** The `channels.meta_conversions` section: Meta's Conversions API. */
export const MetaConversionsChannelSchema = Type.Object(
  {
    base_url: Type.Optional(
      urlSchema('The Graph API root with its version; default https://graph.facebook.com/v21.0'),
    ),
    pixel_id: Type.String({ minLength: 1, description: 'The dataset (pixel) id, quoted.' }),
    access_token: secretSchema('An access token for the dataset (Events Manager → Conversions API)'),
    events: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'The track events sent to Meta as conversions, like [Order Completed].',
    }),
    test_event_code: Type.Optional(
      Type.String({
        minLength: 1,
        description: "Meta's test event code (Events Manager's Test events tab).",
      }),
    ),
    rate_per_second: Type.Optional(AdsRatePerSecondSchema),
  },
  {
    additionalProperties: false,
    description: 'Chosen events sent to Meta as server events (Conversions API).',
  },
);

/** The fields Messenger and Instagram share: Meta's Send API and its signed messaging webhooks. */
const metaMessagingFields = {
  base_url: Type.Optional(
    urlSchema('The Graph API root with its version; default https://graph.facebook.com/v21.0'),
  ),
  access_token: secretSchema('A Page access token with the messaging permission'),
  app_secret: secretSchema('The app secret, which verifies the signature of webhooks'),
  verify_token: secretSchema('The token that answers the webhook verification handshake'),
  rate_per_second: Type.Optional(RatePerSecondSchema),
};

/** The `channels.messenger` section: conversations with a Facebook Page. */
export const MessengerChannelSchema = Type.Object(
  {
    page_id: Type.String({
      pattern: '^[0-9]+$',
      description: 'The id of the Facebook Page people write to, quoted, like "104000000000001".',
    }),
    ...metaMessagingFields,
  },
  {
    additionalProperties: false,
    description: "Messenger: replies through the Send API within 24 hours of the person's last message.",
  },
);

/** The `channels.instagram` section: conversations with an Instagram professional account. */
export const InstagramChannelSchema = Type.Object(
  {
    account_id: Type.String({
      pattern: '^[0-9]+$',
      description: 'The id of the Instagram professional account people write to, quoted.',
    }),
    ...metaMessagingFields,
  },
  {
    additionalProperties: false,
    description: "Instagram: replies through the Send API within 24 hours of the person's last message.",
  },
);

/** The `channels.hubspot` section: contacts in from HubSpot's webhooks. */
export const HubSpotChannelSchema = Type.Object(
  {
    base_url: Type.Optional(urlSchema('HubSpot’s API root; default https://api.hubapi.com')),
    client_secret: secretSchema(
      'The app’s client secret, which verifies the v3 signature of HubSpot’s webhooks',
    ),
    properties: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
        Type.String({ minLength: 1, pattern: '^[a-z0-9_]+$' }),
        {
          description:
            'Trait → HubSpot contact property, like first_name: firstname; a change of a mapped property sets the trait (email is always read).',
        },
      ),
    ),
    access_token: Type.Optional(
      secretSchema(
        'A private app’s access token with crm.objects.contacts.write: with contact_properties, contacts go out',
      ),
    ),
    contact_properties: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^(lifecycle_stage|(traits|computed|scores)\\.[A-Za-z_][A-Za-z0-9_]*)$' }),
        Type.String({ minLength: 1, pattern: '^[a-z0-9_]+$' }),
        {
          description:
            'Profile field → HubSpot contact property, like traits.first_name: firstname, computed.order_count: tailor_order_count, scores.intent: tailor_intent_score, lifecycle_stage: tailor_lifecycle_stage; a change of a mapped value upserts the contact by email.',
        },
      ),
    ),
    rate_per_second: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10000,
        description: 'At most this many contacts are handed to HubSpot each second; default 500.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'HubSpot: contacts in from its contact.propertyChange webhooks, and out as batched upserts by email.',
  },
);

/** The `channels` section. */
export const ChannelsSchema = Type.Object(
  {
    email: Type.Optional(EmailChannelSchema),
    whatsapp: Type.Optional(WhatsAppChannelSchema),
    sms: Type.Optional(SmsChannelSchema),
    rcs: Type.Optional(RcsChannelSchema),
    messenger: Type.Optional(MessengerChannelSchema),
    instagram: Type.Optional(InstagramChannelSchema),
    webhook: Type.Optional(WebhookChannelSchema),
    meta_audiences: Type.Optional(MetaAudiencesChannelSchema),
    google_customer_match: Type.Optional(GoogleCustomerMatchChannelSchema),
    meta_conversions: Type.Optional(MetaConversionsChannelSchema),
    hubspot: Type.Optional(HubSpotChannelSchema),
  },
  {
    additionalProperties: false,
    description:
      'The providers Tailor sends through: email, whatsapp, sms, rcs, messenger, instagram, webhook, and the ad platforms meta_audiences, google_customer_match, meta_conversions; and hubspot, a CRM contacts come in from. A channel left out is never sent on.',
  },
);
