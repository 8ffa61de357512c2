import type {
  ChannelsDef,
  EmailChannelDef,
  GoogleCustomerMatchChannelDef,
  HubSpotChannelDef,
  MetaAudiencesChannelDef,
  MetaConversionsChannelDef,
  MetaMessagingChannelDef,
  RcsChannelDef,
  SmsChannelDef,
  WebhookChannelDef,
  WhatsAppChannelDef,
} from '../activate/channels-def.ts';
import { parseDuration } from '../time/duration.ts';
import type { WorkspaceFile } from './workspace-schema.ts';

type ChannelsInput = NonNullable<WorkspaceFile['channels']>;
type EmailInput = NonNullable<ChannelsInput['email']>;
type WhatsAppInput = NonNullable<ChannelsInput['whatsapp']>;
type SmsInput = NonNullable<ChannelsInput['sms']>;
type RcsInput = NonNullable<ChannelsInput['rcs']>;
type MessengerInput = NonNullable<ChannelsInput['messenger']>;
type InstagramInput = NonNullable<ChannelsInput['instagram']>;
type WebhookInput = NonNullable<ChannelsInput['webhook']>;
type MetaAudiencesInput = NonNullable<ChannelsInput['meta_audiences']>;
type GoogleInput = NonNullable<ChannelsInput['google_customer_match']>;
type ConversionsInput = NonNullable<ChannelsInput['meta_conversions']>;
type HubSpotInput = NonNullable<ChannelsInput['hubspot']>;

/**
 * The `channels` section of a validated workspace file as a `ChannelsDef`, camelCase, with the
 * fields the file leaves out left out (the adapters hold the defaults). Secret references
 * (`${NAME}`) are kept as written: the environment is read when Tailor starts, never here, so
 * no secret value reaches a definition. Undefined when the file has no `channels` section.
 */
export function toChannelsDef(file: WorkspaceFile): ChannelsDef | undefined {
  const channels = file.channels;
  if (channels === undefined) return undefined;
  const def: ChannelsDef = {};
  if (channels.email !== undefined) def.email = toEmail(channels.email);
  if (channels.whatsapp !== undefined) def.whatsapp = toWhatsApp(channels.whatsapp);
  if (channels.sms !== undefined) def.sms = toSms(channels.sms);
  if (channels.rcs !== undefined) def.rcs = toRcs(channels.rcs);
  if (channels.messenger !== undefined)
    def.messenger = toMetaMessaging(channels.messenger, channels.messenger.page_id);
  if (channels.instagram !== undefined)
    def.instagram = toMetaMessaging(channels.instagram, channels.instagram.account_id);
  if (channels.webhook !== undefined) def.webhook = toWebhook(channels.webhook);
  if (channels.meta_audiences !== undefined) def.meta_audiences = toMetaAudiences(channels.meta_audiences);
  if (channels.google_customer_match !== undefined)
    def.google_customer_match = toGoogle(channels.google_customer_match);
  if (channels.meta_conversions !== undefined)
    def.meta_conversions = toConversions(channels.meta_conversions);
  if (channels.hubspot !== undefined) def.hubspot = toHubSpot(channels.hubspot);
  return def;
}

function toEmail(email: EmailInput): EmailChannelDef {
  const def: EmailChannelDef = {
    host: email.host,
    port: email.port,
    from: email.from,
    linkBaseUrl: email.link_base_url,
    linkSecret: email.link_secret,
  };
  if (email.secure !== undefined) def.secure = email.secure;
  if (email.user !== undefined) def.user = email.user;
  if (email.password !== undefined) def.password = email.password;
  if (email.rate_per_second !== undefined) def.ratePerSecond = email.rate_per_second;
  return def;
}

function toWhatsApp(whatsapp: WhatsAppInput): WhatsAppChannelDef {
  const def: WhatsAppChannelDef = {
    phoneNumberId: whatsapp.phone_number_id,
    accessToken: whatsapp.access_token,
    appSecret: whatsapp.app_secret,
    verifyToken: whatsapp.verify_token,
  };
  if (whatsapp.base_url !== undefined) def.baseUrl = whatsapp.base_url;
  if (whatsapp.rate_per_second !== undefined) def.ratePerSecond = whatsapp.rate_per_second;
  return def;
}

function toSms(sms: SmsInput): SmsChannelDef {
  const def: SmsChannelDef = { accountSid: sms.account_sid, authToken: sms.auth_token };
  if (sms.base_url !== undefined) def.baseUrl = sms.base_url;
  if (sms.from !== undefined) def.from = sms.from;
  if (sms.messaging_service_sid !== undefined) def.messagingServiceSid = sms.messaging_service_sid;
  if (sms.rate_per_second !== undefined) def.ratePerSecond = sms.rate_per_second;
  return def;
}

function toMetaMessaging(input: MessengerInput | InstagramInput, senderId: string): MetaMessagingChannelDef {
  const def: MetaMessagingChannelDef = {
    senderId,
    accessToken: input.access_token,
    appSecret: input.app_secret,
    verifyToken: input.verify_token,
  };
  if (input.base_url !== undefined) def.baseUrl = input.base_url;
  if (input.rate_per_second !== undefined) def.ratePerSecond = input.rate_per_second;
  return def;
}

function toRcs(rcs: RcsInput): RcsChannelDef {
  const def: RcsChannelDef = {
    accountSid: rcs.account_sid,
    authToken: rcs.auth_token,
    messagingServiceSid: rcs.messaging_service_sid,
  };
  if (rcs.base_url !== undefined) def.baseUrl = rcs.base_url;
  if (rcs.fallback_from !== undefined) def.fallbackFrom = rcs.fallback_from;
  if (rcs.rate_per_second !== undefined) def.ratePerSecond = rcs.rate_per_second;
  return def;
}

function toHubSpot(hubspot: HubSpotInput): HubSpotChannelDef {
  const def: HubSpotChannelDef = {
    clientSecret: hubspot.client_secret,
    properties: { ...hubspot.properties },
  };
  if (hubspot.base_url !== undefined) def.baseUrl = hubspot.base_url;
  if (hubspot.access_token !== undefined) def.accessToken = hubspot.access_token;
  if (hubspot.contact_properties !== undefined) def.contactProperties = { ...hubspot.contact_properties };
  if (hubspot.rate_per_second !== undefined) def.ratePerSecond = hubspot.rate_per_second;
  return def;
}

function toWebhook(webhook: WebhookInput): WebhookChannelDef {
  const def: WebhookChannelDef = { url: webhook.url, secret: webhook.secret };
  if (webhook.rate_per_second !== undefined) def.ratePerSecond = webhook.rate_per_second;
  return def;
}

function toMetaAudiences(input: MetaAudiencesInput): MetaAudiencesChannelDef {
  const def: MetaAudiencesChannelDef = { accessToken: input.access_token, audiences: { ...input.audiences } };
  if (input.base_url !== undefined) def.baseUrl = input.base_url;
  if (input.rate_per_second !== undefined) def.ratePerSecond = input.rate_per_second;
  if (input.reconcile_every !== undefined) def.reconcileEveryMs = parseDuration(input.reconcile_every);
  if (input.lists !== undefined) def.lists = { ...input.lists };
  return def;
}

function toGoogle(input: GoogleInput): GoogleCustomerMatchChannelDef {
  const def: GoogleCustomerMatchChannelDef = {
    customerId: input.customer_id,
    developerToken: input.developer_token,
    accessToken: input.access_token,
    audiences: { ...input.audiences },
  };
  if (input.base_url !== undefined) def.baseUrl = input.base_url;
  if (input.login_customer_id !== undefined) def.loginCustomerId = input.login_customer_id;
  if (input.rate_per_second !== undefined) def.ratePerSecond = input.rate_per_second;
  if (input.reconcile_every !== undefined) def.reconcileEveryMs = parseDuration(input.reconcile_every);
  if (input.lists !== undefined) def.lists = { ...input.lists };
  return def;
}

function toConversions(input: ConversionsInput): MetaConversionsChannelDef {
  const def: MetaConversionsChannelDef = {
    pixelId: input.pixel_id,
    accessToken: input.access_token,
    events: [...input.events],
  };
  if (input.base_url !== undefined) def.baseUrl = input.base_url;
  if (input.test_event_code !== undefined) def.testEventCode = input.test_event_code;
  if (input.rate_per_second !== undefined) def.ratePerSecond = input.rate_per_second;
  return def;
}
