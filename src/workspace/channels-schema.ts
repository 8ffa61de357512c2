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

/** The `channels.webhook` section: a signed outbound webhook. */
export const WebhookChannelSchema = Type.Object(
  {
    url: urlSchema('Where each message is POSTed as signed JSON'),
    secret: secretSchema('The shared key both sides sign with'),
    rate_per_second: Type.Optional(RatePerSecondSchema),
  },
  { additionalProperties: false, description: 'A signed outbound webhook (a CRM, an ads audience, Slack…).' },
);

/** The `channels` section. */
export const ChannelsSchema = Type.Object(
  {
    email: Type.Optional(EmailChannelSchema),
    whatsapp: Type.Optional(WhatsAppChannelSchema),
    sms: Type.Optional(SmsChannelSchema),
    webhook: Type.Optional(WebhookChannelSchema),
  },
  {
    additionalProperties: false,
    description:
      'The providers Tailor sends through: email, whatsapp, sms, webhook; a channel left out is never sent on.',
  },
);
