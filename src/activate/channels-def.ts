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
  webhook?: WebhookChannelDef;
}
