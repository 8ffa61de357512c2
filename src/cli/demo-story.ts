import { whatsAppReplyWebhook, whatsAppStatusWebhook } from '../activate/local/local-whatsapp.ts';
import type { WhatsAppWebhookPayload } from '../activate/whatsapp/whatsapp-wire.ts';
import { type DemoCast, demoCast } from './demo-cast.ts';
import { DEMO_WHATSAPP } from './demo-providers.ts';

/** The first run's people, as the README quotes them. */
const FIRST_RUN = demoCast(1);

/**
 * The demo story as the Segment calls her browser sends with the write key, timed to end at
 * `now`: an anonymous visitor arrives from an Instagram campaign, views pricing twice, signs up
 * (email and phone), and starts a checkout for the annual plan, but never completes the order:
 * 50 minutes on, past the 30-minute window of the demo's detector, the checkout counts as
 * abandoned. Her two WhatsApp replies are not here: only the provider reports those
 * (`demoFeedback`), never a write key.
 */
export function demoStory(now: number, cast: DemoCast = FIRST_RUN): Record<string, unknown>[] {
  const minutes = (n: number) => new Date(now - n * 60_000).toISOString();
  const { anonymousId, userId } = cast.meera;
  return [
    {
      type: 'page',
      anonymousId,
      name: 'Home',
      properties: { path: '/' },
      context: {
        campaign: { source: 'instagram', medium: 'paid_social', name: 'monsoon-sale' },
        location: { city: 'Mumbai', country: 'IN' },
        locale: 'en-IN',
        timezone: 'Asia/Kolkata',
      },
      timestamp: minutes(180),
    },
    { type: 'page', anonymousId, name: 'Pricing', properties: { path: '/pricing' }, timestamp: minutes(175) },
    {
      type: 'identify',
      anonymousId,
      userId,
      traits: { email: cast.meera.email, phone: cast.meera.phone, first_name: 'Meera', city: 'Mumbai' },
      context: { consent: { categoryPreferences: { email: true, whatsapp: true, advertising: true } } },
      timestamp: minutes(170),
    },
    { type: 'page', userId, name: 'Pricing', properties: { path: '/pricing' }, timestamp: minutes(120) },
    {
      type: 'track',
      userId,
      event: 'Checkout Started',
      properties: { plan: 'annual', value: 11_988, currency: 'INR' },
      timestamp: minutes(50),
    },
  ];
}

/**
 * The people around the demo story, timed to end at `now`: Arjun, who abandoned a checkout too
 * after a WhatsApp message an hour ago (`demoPeopleFeedback` reports it; the contact policy allows one
 * WhatsApp a day, and he has no email), and Kavya, a customer who ordered twice.
 */
export function demoPeople(now: number, cast: DemoCast = FIRST_RUN): Record<string, unknown>[] {
  const minutes = (n: number) => new Date(now - n * 60_000).toISOString();
  return [
    {
      type: 'identify',
      userId: cast.arjun.userId,
      traits: { first_name: 'Arjun', phone: cast.arjun.phone, city: 'Bangalore' },
      context: { consent: { categoryPreferences: { whatsapp: true } }, timezone: 'Asia/Kolkata' },
      timestamp: minutes(90),
    },
    {
      type: 'track',
      userId: cast.arjun.userId,
      event: 'Checkout Started',
      properties: { plan: 'monthly', value: 999, currency: 'INR' },
      timestamp: minutes(45),
    },
    {
      type: 'identify',
      userId: cast.kavya.userId,
      traits: { first_name: 'Kavya', email: cast.kavya.email, phone: cast.kavya.phone },
      context: { consent: { categoryPreferences: { sms: true } } },
      timestamp: minutes(20_000),
    },
    ...[15_000, 3_000].map((ago, i) => ({
      type: 'track',
      userId: cast.kavya.userId,
      event: 'Order Completed',
      properties: { order_id: `ORD-${7001 + i}`, revenue: 1_499, currency: 'INR' },
      timestamp: minutes(ago),
    })),
  ];
}

/** The demo's WhatsApp business number, which every webhook below names. */
const ORIGIN = { phoneNumberId: DEMO_WHATSAPP.phoneNumberId };

/**
 * What the WhatsApp provider reports in the story, as the signed webhooks it sends (sign with
 * `DEMO_WHATSAPP.appSecret`, post to `/v1/webhooks/demo/whatsapp`): Meera's two replies, where
 * the provider knows her only by her number. Feedback enters Tailor only this way (or through a
 * signed email link), never with a write key.
 */
export function demoFeedback(now: number, cast: DemoCast = FIRST_RUN): WhatsAppWebhookPayload[] {
  const ago = (n: number) => now - n * 60_000;
  return [
    whatsAppReplyWebhook({
      ...ORIGIN,
      id: cast.messageId('meera-1'),
      from: cast.meera.phone,
      name: 'Meera',
      text: 'Is the annual plan available?',
      timestamp: ago(30),
    }),
    whatsAppReplyWebhook({
      ...ORIGIN,
      id: cast.messageId('meera-2'),
      from: cast.meera.phone,
      name: 'Meera',
      text: 'Great, thanks!',
      timestamp: ago(25),
    }),
  ];
}

/** The provider's report on the people around the story: the WhatsApp message Arjun got an hour ago. */
export function demoPeopleFeedback(now: number, cast: DemoCast = FIRST_RUN): WhatsAppWebhookPayload[] {
  return [
    whatsAppStatusWebhook({
      ...ORIGIN,
      wamid: cast.messageId('arjun-pricing'),
      status: 'sent',
      recipient: cast.arjun.phone,
      timestamp: now - 60 * 60_000,
    }),
  ];
}
