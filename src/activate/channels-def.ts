/**
 * A secret in the workspace file: `${NAME}` reads the environment variable NAME when Tailor
 * starts, so tokens never sit in the file, the store or an API answer. A literal value works
 * too, for local provider servers.
 */
export type SecretRef = string;

/** SMTP settings of the email channel. */
export interface EmailChannelDef {
  host: string;
  port: number;
  secure?: boolean;
  user?: string;
  password?: SecretRef;
  /** The sender, like `Tailor Demo <hello@example.com>`. */
  from: string;
  /** Where one-click unsubscribe and click-tracking links point (Tailor's public URL). */
  linkBaseUrl: string;
  /** Signs unsubscribe and click links. */
  linkSecret: SecretRef;
  ratePerSecond?: number;
}

/** WhatsApp Business Cloud API settings. */
export interface WhatsAppChannelDef {
  /** The Graph API base, `https://graph.facebook.com/v21.0` unless pointed elsewhere. */
  baseUrl?: string;
  phoneNumberId: string;
  accessToken: SecretRef;
  /** Verifies `X-Hub-Signature-256` on webhooks. */
  appSecret: SecretRef;
  /** Answers the webhook verification handshake. */
  verifyToken: SecretRef;
  ratePerSecond?: number;
}

/** Twilio Messages API settings of the SMS channel. */
export interface SmsChannelDef {
  /** `https://api.twilio.com` unless pointed elsewhere. */
  baseUrl?: string;
  accountSid: string;
  authToken: SecretRef;
  from?: string;
  messagingServiceSid?: string;
  /**
   * Tailor's status callback route as Twilio reaches it
   * (`<public URL>/v1/webhooks/<workspace>/twilio/status`), set from Tailor's public URL when it
   * has one: each message's callbacks then name its send, which lets the outbox confirm it.
   */
  statusCallbackUrl?: string;
  ratePerSecond?: number;
}

/**
 * RCS through Twilio's Messages API: a Messaging Service whose sender pool holds an RCS sender.
 * Twilio tries RCS first and falls back to SMS for a phone that cannot take RCS, from
 * `fallbackFrom` when set, else from the pool's other senders.
 */
export interface RcsChannelDef {
  /** `https://api.twilio.com` unless pointed elsewhere. */
  baseUrl?: string;
  accountSid: string;
  authToken: SecretRef;
  /** The Messaging Service (`MG…`) with the RCS sender in its pool. */
  messagingServiceSid: string;
  /** The SMS sender (E.164, a short code or an alphanumeric id) for the fallback. */
  fallbackFrom?: string;
  /** As for SMS: Tailor's Twilio status callback route, set from Tailor's public URL when it has one. */
  statusCallbackUrl?: string;
  ratePerSecond?: number;
}

/**
 * Messenger (a Facebook Page) or Instagram (a professional account) through Meta's Send API,
 * with its messaging webhooks coming in signed like WhatsApp's.
 */
export interface MetaMessagingChannelDef {
  /** The Graph API base, `https://graph.facebook.com/v21.0` unless pointed elsewhere. */
  baseUrl?: string;
  /** The Page id (Messenger) or the Instagram account id (Instagram) messages come from. */
  senderId: string;
  /** A Page access token with the messaging permission. */
  accessToken: SecretRef;
  /** Verifies `X-Hub-Signature-256` on webhooks. */
  appSecret: SecretRef;
  /** Answers the webhook verification handshake. */
  verifyToken: SecretRef;
  ratePerSecond?: number;
}

/**
 * HubSpot, the CRM: contacts come in from its `contact.propertyChange` webhooks (signature v3)
 * as identify calls setting the mapped traits, and, with an `accessToken` and `contactProperties`,
 * go out as batched contact upserts by email when a mapped value of the profile changes.
 */
export interface HubSpotChannelDef {
  /** HubSpot's API root, `https://api.hubapi.com` unless pointed at a local server. */
  baseUrl?: string;
  /** The app's client secret, which signs HubSpot's webhook requests. */
  clientSecret: SecretRef;
  /** Trait → HubSpot contact property (`first_name: firstname`); `email` is always read. */
  properties: Record<string, string>;
  /** A private app's access token with `crm.objects.contacts.write`: contacts go out only with it. */
  accessToken?: SecretRef;
  /**
   * Profile field (`traits.first_name`, `computed.order_count`, `scores.intent`,
   * `lifecycle_stage`) → the HubSpot contact property it is written to.
   */
  contactProperties?: Record<string, string>;
  /** Contacts upserted each second at most (default `DEFAULT_CRM_RATE`). */
  ratePerSecond?: number;
}

/** A signed outbound webhook (a CRM, an ads audience, Slack…). */
export interface WebhookChannelDef {
  url: string;
  secret: SecretRef;
  ratePerSecond?: number;
}

/** The channels a workspace sends on; a channel left out is never used to send. */
export interface ChannelsDef {
  email?: EmailChannelDef;
  whatsapp?: WhatsAppChannelDef;
  sms?: SmsChannelDef;
  rcs?: RcsChannelDef;
  messenger?: MetaMessagingChannelDef;
  instagram?: MetaMessagingChannelDef;
  webhook?: WebhookChannelDef;
  hubspot?: HubSpotChannelDef;
  meta_audiences?: MetaAudiencesChannelDef;
  google_customer_match?: GoogleCustomerMatchChannelDef;
  meta_conversions?: MetaConversionsChannelDef;
}

/**
 * Meta Custom Audiences through the Marketing API: each segment named in `audiences` is kept in
 * step with a customer-file Custom Audience (`/{audience_id}/users`).
 */
export interface MetaAudiencesChannelDef {
  /** The Graph API root with its version, `https://graph.facebook.com/v21.0` unless pointed elsewhere. */
  baseUrl?: string;
  /** A system-user access token with `ads_management` on the audiences' ad account. */
  accessToken: SecretRef;
  /** Segment key → the id of the Custom Audience (subtype CUSTOM) that mirrors it. */
  audiences: Record<string, string>;
  /** Members sent each second at most (default 50000). */
  ratePerSecond?: number;
  /** How often each list is reconciled with its segment (ms; default `DEFAULT_RECONCILE_EVERY_MS`). */
  reconcileEveryMs?: number;
  /** Name → list, for journey steps that add people to a list or remove them (`audience` steps). */
  lists?: Record<string, string>;
}

/**
 * Google Ads Customer Match through the Google Ads API: each segment named in `audiences` is kept
 * in step with a CRM-based user list, through offline user data jobs.
 */
export interface GoogleCustomerMatchChannelDef {
  /** The API root with its version, `https://googleads.googleapis.com/v21` unless pointed elsewhere. */
  baseUrl?: string;
  /** The advertiser's customer id, digits only. */
  customerId: string;
  /** The manager account's customer id when access goes through one (`login-customer-id`). */
  loginCustomerId?: string;
  /** The developer token (`developer-token` header). */
  developerToken: SecretRef;
  /** An OAuth 2.0 access token with the `adwords` scope. */
  accessToken: SecretRef;
  /** Segment key → the user list's resource name, `customers/{customer_id}/userLists/{id}`. */
  audiences: Record<string, string>;
  ratePerSecond?: number;
  /** How often each list is reconciled with its segment (ms; default `DEFAULT_RECONCILE_EVERY_MS`). */
  reconcileEveryMs?: number;
  /** Name → list, for journey steps that add people to a list or remove them (`audience` steps). */
  lists?: Record<string, string>;
}

/** Meta's Conversions API: chosen events go to a dataset (pixel) as server events. */
export interface MetaConversionsChannelDef {
  /** The Graph API root with its version, `https://graph.facebook.com/v21.0` unless pointed elsewhere. */
  baseUrl?: string;
  /** The dataset (pixel) id the events go to. */
  pixelId: string;
  accessToken: SecretRef;
  /** The track events sent, by name, like `Order Completed`. */
  events: string[];
  /** Meta's `test_event_code`, to see the events in Events Manager's test tab. */
  testEventCode?: string;
  ratePerSecond?: number;
}
