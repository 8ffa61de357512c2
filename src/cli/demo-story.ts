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
