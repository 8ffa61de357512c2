import { type ErrorDetail, TailorError } from '../errors.ts';
import { createGoogleCustomerMatchAdapter } from './ads/google-customer-match-adapter.ts';
import { createMetaAudiencesAdapter } from './ads/meta-audiences-adapter.ts';
import { createMetaConversionsAdapter } from './ads/meta-conversions-adapter.ts';
import { type ChannelAdapter, isAdsChannel, PROVIDER_CHANNELS, type ProviderChannel } from './channel.ts';
import type { ChannelsDef, EmailChannelDef, SecretRef } from './channels-def.ts';
import { createEmailAdapter } from './email/email-adapter.ts';
import { createClickTracker, createUnsubscribeLinks } from './email/signed-links.ts';
import { createHubSpotContactsAdapter } from './hubspot/hubspot-contacts-adapter.ts';
import { createMessengerAdapter } from './messenger/messenger-adapter.ts';
import { createDestinationGuard, type DestinationGuard } from './outbound/destination-guard.ts';
import { type NetworkPolicy, STRICT_NETWORK_POLICY } from './outbound/network-policy.ts';
import { resolveSecret } from './resolve-secret.ts';
import { createTwilioAdapter } from './sms/twilio-adapter.ts';
import { createWebhookAdapter } from './webhook/webhook-adapter.ts';
import { createWhatsAppAdapter } from './whatsapp/whatsapp-adapter.ts';

/** A link-signing secret shorter than this is refused (the signed links' own minimum). */
export const MIN_LINK_SECRET_LENGTH = 16;

/**
 * People handed to an ads channel each second unless it says otherwise: ad platforms take
 * thousands per request, so the limit that matters is their request rate, which their own
 * throttling answers (429) enforce through the dispatcher's back-off.
 */
export const DEFAULT_ADS_RATE = 50_000;

/**
 * Contacts handed to HubSpot each second unless it says otherwise: 5 requests of 100 a second,
 * half the 100 requests per 10 seconds a Starter account's private app may make, so other
 * integrations keep room; HubSpot's 429s slow it further through the dispatcher's back-off.
 */
export const DEFAULT_CRM_RATE = 500;

/** The adapters of a workspace's configured channels, and what the dispatcher needs of them. */
export interface ChannelAdapters {
  /** One adapter per channel the workspace configures; a channel left out has none. */
  adapters: Map<ProviderChannel, ChannelAdapter>;
  /** The sends per second of each channel that sets `ratePerSecond`; others use the dispatcher's default. */
  ratePerSecond: Map<ProviderChannel, number>;
  /** Ends what the adapters hold open (the email adapter's pooled SMTP connections). */
  close(): void;
}

/** The secrets the provider callback and link routes verify with, for the channels configured. */
export interface WebhookSecrets {
  /** Verifies `X-Hub-Signature-256` on WhatsApp webhooks. */
  whatsappAppSecret?: string;
  /** Answers WhatsApp's webhook verification handshake. */
  whatsappVerifyToken?: string;
  /** Verify `X-Hub-Signature-256` and answer the handshake of Messenger's and Instagram's webhooks. */
  social?: Partial<Record<'messenger' | 'instagram', { appSecret: string; verifyToken: string }>>;
  /** Verifies `X-Twilio-Signature` on Twilio callbacks (the SMS channel's account). */
  twilioAuthToken?: string;
  /** Verifies `X-Twilio-Signature` on Twilio callbacks about RCS (the RCS channel's account). */
  rcsAuthToken?: string;
  /** Verifies `X-HubSpot-Signature-v3` on HubSpot webhooks. */
  hubspotClientSecret?: string;
  /** Verifies signed unsubscribe and click links. */
  linkSecret?: string;
}

/**
 * Builds the adapter of each channel in `channels` with its secrets read from `env`
 * (`${NAME}` references; literal values are used as they are). Every variable that is not set
 * is reported at once: a TailorError INVALID_WORKSPACE whose details name each variable and the
 * field reading it (`channels.sms.auth_token`). The secrets live only in the adapters' closures:
 * nothing else returned holds them. Nothing is sent or connected to here. Every adapter checks
 * its destination against `network` (strict unless given) before each call, and never follows
 * a redirect.
 */
export function buildChannelAdapters(
  channels: ChannelsDef,
  source: { env: NodeJS.ProcessEnv; network?: NetworkPolicy },
): ChannelAdapters {
  const secrets = new SecretReader(source.env);
  const guard = createDestinationGuard(source.network ?? STRICT_NETWORK_POLICY);
  const builders: (() => ChannelAdapter)[] = [];
  const { email, whatsapp, sms, rcs, webhook, meta_audiences: metaAudiences } = channels;
  const google = channels.google_customer_match;
  const conversions = channels.meta_conversions;
  if (email !== undefined) {
    const password =
      email.password === undefined ? undefined : secrets.read(email.password, 'email.password');
    const linkSecret = secrets.read(email.linkSecret, 'email.link_secret');
    builders.push(() => buildEmailAdapter({ email, secrets: { password, linkSecret }, guard }));
  }
  if (whatsapp !== undefined) {
    const accessToken = secrets.read(whatsapp.accessToken, 'whatsapp.access_token');
    builders.push(() =>
      createWhatsAppAdapter({
        ...(whatsapp.baseUrl === undefined ? {} : { baseUrl: whatsapp.baseUrl }),
        phoneNumberId: whatsapp.phoneNumberId,
        accessToken,
        guard,
      }),
    );
  }
  if (sms !== undefined) {
    const authToken = secrets.read(sms.authToken, 'sms.auth_token');
    builders.push(() =>
      createTwilioAdapter({
        ...(sms.baseUrl === undefined ? {} : { baseUrl: sms.baseUrl }),
        accountSid: sms.accountSid,
        authToken,
        ...(sms.from === undefined ? {} : { from: sms.from }),
        ...(sms.messagingServiceSid === undefined ? {} : { messagingServiceSid: sms.messagingServiceSid }),
        ...(sms.statusCallbackUrl === undefined ? {} : { statusCallbackUrl: sms.statusCallbackUrl }),
        guard,
      }),
    );
  }
  for (const social of ['messenger', 'instagram'] as const) {
    const def = channels[social];
    if (def === undefined) continue;
    const accessToken = secrets.read(def.accessToken, `${social}.access_token`);
    builders.push(() =>
      createMessengerAdapter({
        channel: social,
        ...(def.baseUrl === undefined ? {} : { baseUrl: def.baseUrl }),
        senderId: def.senderId,
        accessToken,
        guard,
      }),
    );
  }
  if (rcs !== undefined) {
    const authToken = secrets.read(rcs.authToken, 'rcs.auth_token');
    builders.push(() =>
      createTwilioAdapter({
        channel: 'rcs',
        ...(rcs.baseUrl === undefined ? {} : { baseUrl: rcs.baseUrl }),
        accountSid: rcs.accountSid,
        authToken,
        messagingServiceSid: rcs.messagingServiceSid,
        ...(rcs.fallbackFrom === undefined ? {} : { fallbackFrom: rcs.fallbackFrom }),
        ...(rcs.statusCallbackUrl === undefined ? {} : { statusCallbackUrl: rcs.statusCallbackUrl }),
        guard,
      }),
    );
  }
  if (webhook !== undefined) {
    const secret = secrets.read(webhook.secret, 'webhook.secret');
    builders.push(() => createWebhookAdapter({ url: webhook.url, secret, guard }));
  }
  if (metaAudiences !== undefined) {
    const accessToken = secrets.read(metaAudiences.accessToken, 'meta_audiences.access_token');
    builders.push(() =>
      createMetaAudiencesAdapter({
        ...(metaAudiences.baseUrl === undefined ? {} : { baseUrl: metaAudiences.baseUrl }),
        accessToken,
        guard,
      }),
    );
  }
  if (google !== undefined) {
    const developerToken = secrets.read(google.developerToken, 'google_customer_match.developer_token');
    const accessToken = secrets.read(google.accessToken, 'google_customer_match.access_token');
    builders.push(() =>
      createGoogleCustomerMatchAdapter({
        ...(google.baseUrl === undefined ? {} : { baseUrl: google.baseUrl }),
        customerId: google.customerId,
        ...(google.loginCustomerId === undefined ? {} : { loginCustomerId: google.loginCustomerId }),
        developerToken,
        accessToken,
        guard,
      }),
    );
  }
  if (conversions !== undefined) {
    const accessToken = secrets.read(conversions.accessToken, 'meta_conversions.access_token');
    builders.push(() =>
      createMetaConversionsAdapter({
        ...(conversions.baseUrl === undefined ? {} : { baseUrl: conversions.baseUrl }),
        pixelId: conversions.pixelId,
        accessToken,
        ...(conversions.testEventCode === undefined ? {} : { testEventCode: conversions.testEventCode }),
        guard,
      }),
    );
  }
  const hubspot = channels.hubspot;
  if (hubspot?.accessToken !== undefined && hubspot.contactProperties !== undefined) {
    const accessToken = secrets.read(hubspot.accessToken, 'hubspot.access_token');
    builders.push(() =>
      createHubSpotContactsAdapter({
        ...(hubspot.baseUrl === undefined ? {} : { baseUrl: hubspot.baseUrl }),
        accessToken,
        guard,
      }),
    );
  }
  secrets.throwIfMissing();

  const adapters = new Map<ProviderChannel, ChannelAdapter>();
  for (const build of builders) {
    const adapter = build();
    adapters.set(adapter.channel, adapter);
  }
  const ratePerSecond = new Map<ProviderChannel, number>();
  for (const channel of PROVIDER_CHANNELS) {
    const def = channels[channel];
    const rate = def?.ratePerSecond ?? (def === undefined ? undefined : defaultRate(channel));
    if (rate !== undefined) ratePerSecond.set(channel, rate);
  }
  return {
    adapters,
    ratePerSecond,
    close: () => {
      for (const adapter of adapters.values()) if (hasClose(adapter)) adapter.close();
    },
  };
}

/** The rate of a channel that sets none: ads and CRM channels take people in bulk. */
function defaultRate(channel: ProviderChannel): number | undefined {
  if (isAdsChannel(channel)) return DEFAULT_ADS_RATE;
  return channel === 'hubspot' ? DEFAULT_CRM_RATE : undefined;
}

/**
 * The secrets the webhook routes verify with, read from `env` like `buildChannelAdapters`
 * does (and with the same error when a variable is not set); a field is absent when its channel
 * is not configured.
 */
export function webhookSecrets(channels: ChannelsDef, env: NodeJS.ProcessEnv): WebhookSecrets {
  const secrets = new SecretReader(env);
  const found: WebhookSecrets = {};
  if (channels.whatsapp !== undefined) {
    found.whatsappAppSecret = secrets.read(channels.whatsapp.appSecret, 'whatsapp.app_secret');
    found.whatsappVerifyToken = secrets.read(channels.whatsapp.verifyToken, 'whatsapp.verify_token');
  }
  if (channels.sms !== undefined)
    found.twilioAuthToken = secrets.read(channels.sms.authToken, 'sms.auth_token');
  for (const social of ['messenger', 'instagram'] as const) {
    const def = channels[social];
    if (def === undefined) continue;
    found.social = {
      ...found.social,
      [social]: {
        appSecret: secrets.read(def.appSecret, `${social}.app_secret`),
        verifyToken: secrets.read(def.verifyToken, `${social}.verify_token`),
      },
    };
  }
  if (channels.rcs !== undefined) found.rcsAuthToken = secrets.read(channels.rcs.authToken, 'rcs.auth_token');
  if (channels.hubspot !== undefined)
    found.hubspotClientSecret = secrets.read(channels.hubspot.clientSecret, 'hubspot.client_secret');
  if (channels.email !== undefined)
    found.linkSecret = secrets.read(channels.email.linkSecret, 'email.link_secret');
  secrets.throwIfMissing();
  return found;
}

/**
 * The email adapter: SMTP login when a password is set, one-click unsubscribe links and click
 * tracking signed with the link secret under `linkBaseUrl`, `mailto:` unsubscribes going to the
 * sender's address.
 */
function buildEmailAdapter(input: {
  email: EmailChannelDef;
  secrets: { password: string | undefined; linkSecret: string };
  guard: DestinationGuard;
}): ChannelAdapter {
  const { email, secrets, guard } = input;
  const links = { secret: secrets.linkSecret, baseUrl: email.linkBaseUrl };
  return createEmailAdapter({
    host: email.host,
    port: email.port,
    ...(email.secure === undefined ? {} : { secure: email.secure }),
    ...(email.user === undefined || secrets.password === undefined
      ? {}
      : { auth: { user: email.user, pass: secrets.password } }),
    from: email.from,
    unsubscribe: createUnsubscribeLinks({ ...links, mailbox: senderAddress(email.from) }),
    clickTracking: createClickTracker(links),
    guard,
  });
}

/** The address of a sender written `Name <address>`, or the whole text when it is a bare address. */
function senderAddress(from: string): string {
  return /<([^<>]+)>\s*$/.exec(from)?.[1]?.trim() ?? from.trim();
}

function hasClose(adapter: ChannelAdapter): adapter is ChannelAdapter & { close(): void } {
  return 'close' in adapter && typeof adapter.close === 'function';
}

/** Reads secrets one by one, gathering every problem, so a user learns of every missing variable at once. */
class SecretReader {
  private readonly env: NodeJS.ProcessEnv;
  /** Each problem as a sentence naming the field and the variable. */
  private readonly sentences: string[] = [];
  private readonly details: ErrorDetail[] = [];

  constructor(env: NodeJS.ProcessEnv) {
    this.env = env;
  }

  /** The secret's value ('' when it cannot be read, the problem being kept); `field` is under `channels.`. */
  read(ref: SecretRef, field: string): string {
    const path = `channels.${field}`;
    try {
      const value = resolveSecret(ref, this.env, path);
      if (field === 'email.link_secret' && value.length < MIN_LINK_SECRET_LENGTH) {
        const fix = `use at least ${MIN_LINK_SECRET_LENGTH} characters (32 random bytes are best)`;
        this.sentences.push(`${path} is too short to sign links`);
        this.details.push({ path, message: fix });
      }
      return value;
    } catch (error) {
      if (!(error instanceof TailorError)) throw error;
      this.sentences.push(error.message);
      this.details.push(...error.details);
      return '';
    }
  }

  /** Throws the problems gathered, if any, as one TailorError INVALID_WORKSPACE. */
  throwIfMissing(): void {
    if (this.sentences.length === 0) return;
    const message =
      this.sentences.length === 1
        ? this.sentences.join('')
        : `${this.sentences.length} channel secrets cannot be read: ${this.sentences.join('; ')}`;
    throw new TailorError('INVALID_WORKSPACE', message, this.details);
  }
}
