/** The email of the person in the demo story, to look their profile up by. */
export const DEMO_EMAIL = 'meera@example.com';

/**
 * The demo story as Segment calls, timed to end at `now`: an anonymous visitor arrives from an
 * Instagram campaign, views pricing twice, signs up (email and phone), clicks a marketing email,
 * starts a checkout for the annual plan, and replies twice on WhatsApp, where the provider knows
 * her only by her number, but never completes the order: 50 minutes on, past the 30-minute
 * window of the demo's detector, the checkout counts as abandoned.
 */
export function demoStory(now: number): Record<string, unknown>[] {
  const minutes = (n: number) => new Date(now - n * 60_000).toISOString();
  const anonymousId = 'demo-visitor-7f3a';
  const userId = 'USR_4096';
  // How a WhatsApp provider's webhook is relayed: the WhatsApp id, and the number as a trait.
  const whatsapp = {
    externalIds: [{ id: '+919820155555', type: 'whatsapp', collection: 'users', encoding: 'none' }],
    traits: { phone: '+91 98201 55555' },
  };
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
      traits: { email: 'Meera@Example.com', phone: '98201 55555', first_name: 'Meera', city: 'Mumbai' },
      context: { consent: { categoryPreferences: { email: true, whatsapp: true } } },
      timestamp: minutes(170),
    },
    { type: 'page', userId, name: 'Pricing', properties: { path: '/pricing' }, timestamp: minutes(120) },
    {
      type: 'track',
      userId,
      event: 'Message Clicked',
      properties: { channel: 'email', campaign: 'pricing-follow-up' },
      timestamp: minutes(60),
    },
    {
      type: 'track',
      userId,
      event: 'Checkout Started',
      properties: { plan: 'annual', value: 11_988, currency: 'INR' },
      timestamp: minutes(50),
    },
    {
      type: 'track',
      anonymousId: 'wa-5f1c',
      event: 'Message Replied',
      properties: { channel: 'whatsapp', text: 'Is the annual plan available?' },
      context: whatsapp,
      timestamp: minutes(30),
    },
    {
      type: 'track',
      anonymousId: 'wa-5f1c',
      event: 'Message Replied',
      properties: { channel: 'whatsapp', text: 'Great, thanks!' },
      context: whatsapp,
      timestamp: minutes(25),
    },
  ];
}

/** The user id of the demo's second lead: messaged on WhatsApp an hour ago, so capped now. */
export const DEMO_CAPPED_USER = 'USR_5120';
/** The user id of the demo's repeat customer. */
export const DEMO_REPEAT_USER = 'USR_2048';
/** Kavya's number, to which the demo's SMS goes and from which she answers STOP. */
export const DEMO_KAVYA_PHONE = '+919900011122';

/**
 * The people around the demo story, timed to end at `now`: Arjun, who got a WhatsApp message an
 * hour ago and then abandoned a checkout too (the contact policy allows one WhatsApp a day, and
 * he has no email), and Kavya, a customer who ordered twice.
 */
export function demoPeople(now: number): Record<string, unknown>[] {
  const minutes = (n: number) => new Date(now - n * 60_000).toISOString();
  return [
    {
      type: 'identify',
      userId: DEMO_CAPPED_USER,
      traits: { first_name: 'Arjun', phone: '+91 98450 12345', city: 'Bangalore' },
      context: { consent: { categoryPreferences: { whatsapp: true } }, timezone: 'Asia/Kolkata' },
      timestamp: minutes(90),
    },
    {
      type: 'track',
      userId: DEMO_CAPPED_USER,
      event: 'Message Sent',
      properties: { channel: 'whatsapp', action: 'send_pricing_follow_up_email', text: 'New plans are out' },
      timestamp: minutes(60),
    },
    {
      type: 'track',
      userId: DEMO_CAPPED_USER,
      event: 'Checkout Started',
      properties: { plan: 'monthly', value: 999, currency: 'INR' },
      timestamp: minutes(45),
    },
    {
      type: 'identify',
      userId: DEMO_REPEAT_USER,
      traits: { first_name: 'Kavya', email: 'kavya@example.com', phone: DEMO_KAVYA_PHONE },
      context: { consent: { categoryPreferences: { sms: true } } },
      timestamp: minutes(20_000),
    },
    ...[15_000, 3_000].map((ago, i) => ({
      type: 'track',
      userId: DEMO_REPEAT_USER,
      event: 'Order Completed',
      properties: { order_id: `ORD-${7001 + i}`, revenue: 1_499, currency: 'INR' },
      timestamp: minutes(ago),
    })),
  ];
}
