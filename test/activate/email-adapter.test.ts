import { type AddressInfo, createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/activate/channel.ts';
import { createEmailAdapter, type EmailAdapter, retryHint } from '../../src/activate/email/email-adapter.ts';
import {
  clickFeedback,
  emailMessageId,
  isOneClickUnsubscribe,
  unsubscribeFeedback,
} from '../../src/activate/email/email-feedback.ts';
import { htmlToText } from '../../src/activate/email/html-text.ts';
import {
  type ClickTracker,
  createClickTracker,
  createUnsubscribeLinks,
  type UnsubscribeLinks,
  unsubscribeTokenFromSubject,
} from '../../src/activate/email/signed-links.ts';
import { fakeClock } from '../../src/clock.ts';
import { channelContract, type LocalProvider, type ProviderFault } from './channel-contract.ts';

const SECRET = 'test-secret-0123456789abcdef';
const BASE = 'https://t.example.test';
const NOW = Date.parse('2026-03-10T06:00:00Z');
const DAY = 86_400_000;

/** One part of a received message, its body decoded. */
interface MimePart {
  contentType: string;
  body: string;
}

/** A message the local SMTP server took: its envelope recipient, headers and decoded parts. */
interface ReceivedMail {
  to: string;
  /** Header names lower-cased, folded lines joined. */
  headers: Map<string, string>;
  parts: MimePart[];
  text: string;
  html?: string;
}

/** How the local server answers one command, once. */
interface Rejection {
  stage: 'rcpt' | 'data';
  code: number;
  message: string;
}

/** Splits a raw header block or part into its headers and body, unfolding continued lines. */
function splitEntity(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const body = end === -1 ? '' : raw.slice(end + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** Decodes a part's body by its Content-Transfer-Encoding (7bit, quoted-printable or base64), with LF line ends. */
function decodeBody(body: string, encoding: string | undefined): string {
  return decodeTransfer(body, encoding).replace(/\r\n/g, '\n');
}

function decodeTransfer(body: string, encoding: string | undefined): string {
  const kind = (encoding ?? '7bit').toLowerCase();
  if (kind === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (kind === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => `%${hex}`)
      .replace(/%(?![0-9A-F]{2})/gi, '%25');
    return decodeURIComponent(bytes);
  }
  return body;
}

/** Reads a raw RFC 5322 message: single-part or multipart/alternative, as nodemailer writes them. */
function parseMail(to: string, raw: string): ReceivedMail {
  const { headers, body } = splitEntity(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const parts: MimePart[] = [];
  if (type.toLowerCase().startsWith('multipart/') && boundary !== undefined) {
    const sections = body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      const part = splitEntity(section.replace(/^\r\n/, ''));
      parts.push({
        contentType: part.headers.get('content-type') ?? 'text/plain',
        body: decodeBody(part.body.replace(/\r\n$/, ''), part.headers.get('content-transfer-encoding')),
      });
    }
  } else {
    parts.push({ contentType: type, body: decodeBody(body, headers.get('content-transfer-encoding')) });
  }
  const text = parts.find((part) => part.contentType.startsWith('text/plain'))?.body ?? '';
  const html = parts.find((part) => part.contentType.startsWith('text/html'))?.body;
  return html === undefined ? { to, headers, parts, text } : { to, headers, parts, text, html };
}

/** A real SMTP server on a free local port, speaking SMTP as a relay would, recording what it took. */
interface SmtpProvider extends LocalProvider {
  port: number;
  mails(): ReceivedMail[];
  /** Answers the next command of this stage with this reply (once). */
  rejectNext(rejection: Rejection): void;
}

async function startSmtpProvider(): Promise<SmtpProvider> {
  const mails: ReceivedMail[] = [];
  let pending: Rejection | undefined;
  const reject = (stage: Rejection['stage']): Error | undefined => {
    if (pending?.stage !== stage) return undefined;
    const error = Object.assign(new Error(pending.message), { responseCode: pending.code });
    pending = undefined;
    return error;
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hideENHANCEDSTATUSCODES: true,
    logger: false,
    closeTimeout: 100,
    onRcptTo(_address, _session, callback) {
      callback(reject('rcpt'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const rejection = reject('data');
        if (rejection !== undefined) return callback(rejection);
        const raw = Buffer.concat(chunks).toString('utf8');
        for (const recipient of session.envelope.rcptTo) mails.push(parseMail(recipient.address, raw));
        callback(null, 'Queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    port,
    mails: () => mails,
    accepted: () => mails.map((mail) => ({ to: mail.to, text: mail.text })),
    rejectNext: (rejection) => {
      pending = rejection;
    },
    failNext: (fault: ProviderFault) => {
      if (fault.kind === 'invalid-recipient') {
        pending = { stage: 'rcpt', code: 550, message: '5.1.1 No such user here' };
      } else if (fault.kind === 'server-error') {
        pending = { stage: 'rcpt', code: 451, message: '4.3.0 Local error in processing' };
      } else {
        // SMTP has no Retry-After: a rate-limiting server can only say the wait in its reply text.
        const seconds = fault.retryAfterSeconds;
        pending = {
          stage: 'rcpt',
          code: 421,
          message: `4.7.0 Too many messages, try again in ${seconds} seconds`,
        };
      }
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closed;
    },
  };
}

const adapters: EmailAdapter[] = [];
afterEach(() => {
  for (const adapter of adapters.splice(0)) adapter.close();
});

function links(clock = fakeClock(NOW)): { unsubscribe: UnsubscribeLinks; clicks: ClickTracker } {
  return {
    unsubscribe: createUnsubscribeLinks({
      secret: SECRET,
      baseUrl: BASE,
      mailbox: 'unsubscribe@acme.test',
      clock: clock.now,
    }),
    clicks: createClickTracker({ secret: SECRET, baseUrl: BASE, clock: clock.now }),
  };
}

function adapterFor(port: number, clickTracking = true): EmailAdapter {
  const { unsubscribe, clicks } = links();
  const adapter = createEmailAdapter({
    host: '127.0.0.1',
    port,
    from: 'Acme <hello@acme.test>',
    unsubscribe,
    clickTracking: clickTracking ? clicks : undefined,
  });
  adapters.push(adapter);
  return adapter;
}

function emailMessage(id: string, content: Record<string, unknown>): OutboundMessage {
  return { id, channel: 'email', to: 'meera@example.test', content, profileId: 'prof_meera_42' };
}

channelContract('email', async () => {
  const provider = await startSmtpProvider();
  return {
    adapter: adapterFor(provider.port),
    provider,
    message: (id, text) => emailMessage(id, { subject: 'Your plan', text }),
    idempotent: false,
  };
});

describe('email adapter', () => {
  const opened: SmtpProvider[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((smtp) => smtp.close()));
  });
  async function open(): Promise<SmtpProvider> {
    const smtp = await startSmtpProvider();
    opened.push(smtp);
    return smtp;
  }

  it('sends text and html parts, deriving the text from the html when only html is given', async () => {
    const provider = await open();
    const adapter = adapterFor(provider.port, false);
    const html =
      '<html><head><style>p{color:red}</style></head><body><p>Hi Meera,</p>' +
      '<p>Your <b>annual plan</b> is waiting &amp; ready.<br>See <a href="https://acme.test/plans">plans</a></p>' +
      '</body></html>';
    const outcome = await adapter.send(emailMessage('dec-10-email', { subject: 'Your plan', html }));
    expect(outcome).toEqual({ kind: 'sent', providerMessageId: '<dec-10-email@tailor>' });

    const [mail] = provider.mails();
    expect(mail?.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(mail?.parts.map((part) => part.contentType.split(';')[0])).toEqual(['text/plain', 'text/html']);
    expect(mail?.html).toContain('<b>annual plan</b>');
    expect(mail?.text).toBe(
      'Hi Meera,\n\nYour annual plan is waiting & ready.\nSee plans (https://acme.test/plans)',
    );
    expect(mail?.headers.get('subject')).toBe('Your plan');
    expect(mail?.headers.get('from')).toBe('Acme <hello@acme.test>');
  });

  it('sends a text-only message as a single text part', async () => {
    const provider = await open();
    const adapter = adapterFor(provider.port);
    await adapter.send(emailMessage('dec-11-email', { subject: 'Hello', text: 'Just text, Meera.' }));
    const [mail] = provider.mails();
    expect(mail?.parts).toHaveLength(1);
    expect(mail?.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(mail?.text.trim()).toBe('Just text, Meera.');
  });

  it('sets one-click List-Unsubscribe headers whose signed links verify, and no profile id in headers', async () => {
    const provider = await open();
    const adapter = adapterFor(provider.port);
    await adapter.send(emailMessage('dec-12-email', { subject: 'Hello', text: 'Hi' }));
    const [mail] = provider.mails();
    const header = mail?.headers.get('list-unsubscribe') ?? '';
    const match =
      /^<(https:\/\/t\.example\.test\/v1\/u\/([^>]+))>, <(mailto:unsubscribe@acme\.test\?[^>]+)>$/.exec(
        header,
      );
    expect(match).not.toBeNull();
    expect(mail?.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    const { unsubscribe } = links();
    const check = unsubscribe.verify(match?.[2] ?? '');
    expect(check).toMatchObject({
      ok: true,
      claims: { profileId: 'prof_meera_42', messageId: 'dec-12-email', channel: 'email' },
    });
    const subject = new URL(match?.[3] ?? '').searchParams.get('subject') ?? '';
    const mailtoToken = unsubscribeTokenFromSubject(`Re: ${subject}`) ?? '';
    expect(unsubscribe.verify(mailtoToken).ok).toBe(true);

    for (const [name, value] of mail?.headers ?? []) {
      if (name !== 'list-unsubscribe') expect(value).not.toContain('prof_meera_42');
    }
  });

  it('gives a message a stable Message-ID derived from its id, the same on every attempt', async () => {
    const provider = await open();
    const adapter = adapterFor(provider.port);
    const message = emailMessage('dec-13-email', { subject: 'Hello', text: 'Hi' });
    const first = await adapter.send(message);
    const second = await adapter.send(message);
    expect(first).toEqual({ kind: 'sent', providerMessageId: '<dec-13-email@tailor>' });
    expect(second).toEqual(first);
    expect(provider.mails().map((mail) => mail.headers.get('message-id'))).toEqual([
      '<dec-13-email@tailor>',
      '<dec-13-email@tailor>',
    ]);
  });

  it('rewrites web links to signed click links, leaving mailto, anchors and unsubscribe links alone', async () => {
    const provider = await open();
    const adapter = adapterFor(provider.port);
    const message = emailMessage('dec-14-email', { subject: 'Hello', html: '' });
    const unsubscribeUrl = links().unsubscribe.url(message);
    const html = [
      '<p><a class="cta" href="https://acme.test/plans?plan=annual&amp;src=email">Upgrade</a>',
      "<a href='http://acme.test/help' title='a > b'>Help</a>",
      '<a href="mailto:help@acme.test">Write</a> <a href="#top">Top</a>',
      `<a href="${unsubscribeUrl}">Unsubscribe</a></p>`,
    ].join('\n');
    await adapter.send({ ...message, content: { subject: 'Hello', html } });
    const [mail] = provider.mails();
    const sentHtml = mail?.html ?? '';

    const tracked = [...sentHtml.matchAll(/href="https:\/\/t\.example\.test\/v1\/c\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(tracked).toHaveLength(2);
    const { clicks } = links();
    const verified = tracked.map((token) => clicks.verify(token ?? ''));
    expect(verified).toEqual([
      {
        ok: true,
        claims: expect.objectContaining({
          profileId: 'prof_meera_42',
          messageId: 'dec-14-email',
          address: 'meera@example.test',
          url: 'https://acme.test/plans?plan=annual&src=email',
        }),
      },
      { ok: true, claims: expect.objectContaining({ url: 'http://acme.test/help' }) },
    ]);
    expect(sentHtml).toContain('class="cta"');
    expect(sentHtml).toContain('href="mailto:help@acme.test"');
    expect(sentHtml).toContain('href="#top"');
    expect(sentHtml).toContain(`href="${unsubscribeUrl}"`);
    expect(sentHtml).not.toContain('https://acme.test/plans');
    // The derived text part carries the tracked links too.
    expect(mail?.text).toContain('Upgrade (https://t.example.test/v1/c/');
  });

  it('answers retry without a wait on a 4xx that names none, and failed on other refusals', async () => {
    const provider = await open();
    const adapter = adapterFor(provider.port);
    const message = emailMessage('dec-15-email', { subject: 'Hello', text: 'Hi' });

    provider.rejectNext({ stage: 'rcpt', code: 450, message: '4.2.1 Mailbox busy' });
    const busy = await adapter.send(message);
    expect(busy).toEqual({ kind: 'retry', reason: '450 4.2.1 Mailbox busy' });

    provider.rejectNext({
      stage: 'rcpt',
      code: 550,
      message: '5.7.1 Service unavailable, client host blocked',
    });
    expect(await adapter.send(message)).toMatchObject({ kind: 'failed', unreachable: false });

    provider.rejectNext({ stage: 'data', code: 552, message: '5.3.4 Message size exceeds fixed limit' });
    expect(await adapter.send(message)).toMatchObject({ kind: 'failed', unreachable: false });

    provider.rejectNext({ stage: 'data', code: 451, message: '4.3.0 Try again later' });
    expect(await adapter.send(message)).toEqual({ kind: 'retry', reason: '451 4.3.0 Try again later' });

    expect(await adapter.send(message)).toMatchObject({ kind: 'sent' });
    expect(provider.mails()).toHaveLength(1);
  });

  it('answers retry when the server never greets, after the greeting timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { unsubscribe } = links();
    const adapter = createEmailAdapter({
      host: '127.0.0.1',
      port: (silent.address() as AddressInfo).port,
      from: 'hello@acme.test',
      unsubscribe,
      timeouts: { greetingMs: 200 },
    });
    adapters.push(adapter);
    const started = Date.now();
    const outcome = await adapter.send(emailMessage('dec-18-email', { subject: 'Hello', text: 'Hi' }));
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('refuses content it cannot send without contacting the server', async () => {
    const provider = await open();
    const adapter = adapterFor(provider.port);
    expect(await adapter.send(emailMessage('dec-16-email', { text: 'no subject' }))).toMatchObject({
      kind: 'failed',
      unreachable: false,
    });
    expect(await adapter.send(emailMessage('dec-17-email', { subject: 'No body' }))).toMatchObject({
      kind: 'failed',
      unreachable: false,
    });
    expect(provider.mails()).toHaveLength(0);
  });
});

describe('signed links', () => {
  const message = emailMessage('dec-20-email', { subject: 'Hello', text: 'Hi' });

  it('refuses tampered tokens', () => {
    const { unsubscribe, clicks } = links();
    const token = unsubscribe.url(message).split('/').pop() ?? '';
    const [body = '', signature = ''] = token.split('.');
    const forged = Buffer.from(
      Buffer.from(body, 'base64url').toString('utf8').replace('prof_meera_42', 'prof_someone'),
    ).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;

    expect(unsubscribe.verify(token).ok).toBe(true);
    expect(unsubscribe.verify(`${forged}.${signature}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(unsubscribe.verify(`${body}.${flipped}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(unsubscribe.verify(`${body}.${signature}x`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(unsubscribe.verify('not-a-token')).toEqual({ ok: false, reason: 'malformed' });
    expect(unsubscribe.verify('a.b.c')).toEqual({ ok: false, reason: 'malformed' });
    // An unsubscribe token is no click token, and the other way round.
    expect(clicks.verify(token)).toEqual({ ok: false, reason: 'malformed' });
    const clickToken = /\/v1\/c\/([^"]+)"/.exec(
      clicks.rewrite('<a href="https://x.test/">x</a>', message),
    )?.[1];
    expect(unsubscribe.verify(clickToken ?? '')).toEqual({ ok: false, reason: 'malformed' });
    // Signed with another secret.
    const other = createUnsubscribeLinks({
      secret: 'another-secret-0123456789',
      baseUrl: BASE,
      mailbox: 'u@x.test',
    });
    expect(other.verify(token)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses expired tokens, and accepts tokens signed with a previous secret', () => {
    const clock = fakeClock(NOW);
    const unsubscribe = createUnsubscribeLinks({
      secret: SECRET,
      baseUrl: BASE,
      mailbox: 'u@acme.test',
      ttlMs: 30 * DAY,
      clock: clock.now,
    });
    const token = unsubscribe.url(message).split('/').pop() ?? '';
    clock.advance(30 * DAY - 1);
    expect(unsubscribe.verify(token)).toMatchObject({ ok: true, claims: { expiresAt: NOW + 30 * DAY } });
    clock.advance(1);
    expect(unsubscribe.verify(token)).toEqual({ ok: false, reason: 'expired' });

    const rotated = createUnsubscribeLinks({
      secret: 'the-new-secret-0123456789',
      previousSecrets: [SECRET],
      baseUrl: BASE,
      mailbox: 'u@acme.test',
      clock: () => NOW,
    });
    expect(rotated.verify(token).ok).toBe(true);
  });
});

describe('email feedback', () => {
  const message = emailMessage('dec-30-email', { subject: 'Hello', text: 'Hi' });

  it('turns a verified click into Message Clicked, addressed by email', () => {
    const { clicks } = links();
    const html = clicks.rewrite('<a href="https://acme.test/plans">Plans</a>', message);
    const token = /\/v1\/c\/([^"]+)"/.exec(html)?.[1] ?? '';
    const check = clicks.verify(token);
    if (!check.ok) throw new Error(check.reason);
    const event = clickFeedback(check.claims, NOW + 5_000);
    expect(event).toEqual({
      event: 'Message Clicked',
      timestamp: NOW + 5_000,
      identifier: { type: 'email', value: 'meera@example.test' },
      properties: {
        channel: 'email',
        url: 'https://acme.test/plans',
        message_id: 'dec-30-email',
        provider_message_id: '<dec-30-email@tailor>',
      },
      messageId: expect.stringMatching(/^dec-30-email:click:/),
    });
  });

  it('turns a verified unsubscribe into Unsubscribed on the email channel', () => {
    const { unsubscribe } = links();
    const check = unsubscribe.verify(unsubscribe.url(message).split('/').pop() ?? '');
    if (!check.ok) throw new Error(check.reason);
    expect(isOneClickUnsubscribe('List-Unsubscribe=One-Click')).toBe(true);
    expect(isOneClickUnsubscribe({ 'List-Unsubscribe': 'One-Click' })).toBe(true);
    expect(isOneClickUnsubscribe('')).toBe(false);
    expect(unsubscribeFeedback(check.claims, NOW, 'one-click')).toEqual({
      event: 'Unsubscribed',
      timestamp: NOW,
      identifier: { type: 'email', value: 'meera@example.test' },
      properties: {
        channel: 'email',
        method: 'one-click',
        message_id: 'dec-30-email',
        provider_message_id: '<dec-30-email@tailor>',
      },
      messageId: 'dec-30-email:unsubscribe',
    });
  });
});

describe('email text helpers', () => {
  it('reads the wait a temporary rejection names', () => {
    expect(retryHint('421 4.7.0 Too many messages, try again in 7 seconds')).toBe(7_000);
    expect(retryHint('450 4.2.0 Greylisted, please retry in 5 minutes')).toBe(300_000);
    expect(retryHint('451 4.3.0 Try again later')).toBeUndefined();
  });

  it('writes message ids a Message-ID may not hold as =XX', () => {
    expect(emailMessageId('dec-1-email')).toBe('<dec-1-email@tailor>');
    expect(emailMessageId('dec 1:é.x')).toBe('<dec=201=3A=C3=A9=2Ex@tailor>');
  });

  it('renders html as plain text', () => {
    expect(htmlToText('<ul><li>One</li><li>Two &lt;3</li></ul><!-- hidden --><script>x()</script>')).toBe(
      '- One\n- Two <3',
    );
  });
});
