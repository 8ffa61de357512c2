import type { ChannelsDef, SecretRef } from './channels-def.ts';
import { REDACTED, secretReferenceName } from './resolve-secret.ts';

export { REDACTED };

/**
 * The channels as an API answer may show them: a `${TAILOR_SECRET_…}` reference stays as
 * written (it names where the secret lives, not its value); a secret written literally (allowed
 * for local test servers) becomes `[redacted]`. Everything that is not a secret is kept.
 */
export function redactChannels(channels: ChannelsDef): ChannelsDef {
  const redacted: ChannelsDef = {};
  const { email, whatsapp, sms, rcs, webhook, hubspot } = channels;
  const {
    meta_audiences: metaAudiences,
    google_customer_match: google,
    meta_conversions: conversions,
  } = channels;
  if (email !== undefined) {
    redacted.email = { ...email, linkSecret: redactSecret(email.linkSecret) };
    if (email.password !== undefined) redacted.email.password = redactSecret(email.password);
  }
  if (whatsapp !== undefined) {
    redacted.whatsapp = {
      ...whatsapp,
      accessToken: redactSecret(whatsapp.accessToken),
      appSecret: redactSecret(whatsapp.appSecret),
      verifyToken: redactSecret(whatsapp.verifyToken),
    };
  }
  if (sms !== undefined) redacted.sms = { ...sms, authToken: redactSecret(sms.authToken) };
  for (const social of ['messenger', 'instagram'] as const) {
    const def = channels[social];
    if (def !== undefined)
      redacted[social] = {
        ...def,
        accessToken: redactSecret(def.accessToken),
        appSecret: redactSecret(def.appSecret),
        verifyToken: redactSecret(def.verifyToken),
      };
  }
  if (rcs !== undefined) redacted.rcs = { ...rcs, authToken: redactSecret(rcs.authToken) };
  if (webhook !== undefined) redacted.webhook = { ...webhook, secret: redactSecret(webhook.secret) };
  if (metaAudiences !== undefined)
    redacted.meta_audiences = { ...metaAudiences, accessToken: redactSecret(metaAudiences.accessToken) };
  if (google !== undefined)
    redacted.google_customer_match = {
      ...google,
      developerToken: redactSecret(google.developerToken),
      accessToken: redactSecret(google.accessToken),
    };
  if (conversions !== undefined)
    redacted.meta_conversions = { ...conversions, accessToken: redactSecret(conversions.accessToken) };
  if (hubspot !== undefined)
    redacted.hubspot = { ...hubspot, clientSecret: redactSecret(hubspot.clientSecret) };
  return redacted;
}

/** A reference as written, any other value `[redacted]`. */
export function redactSecret(ref: SecretRef): SecretRef {
  return secretReferenceName(ref) === undefined ? REDACTED : ref;
}
