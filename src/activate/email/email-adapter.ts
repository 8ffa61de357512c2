import { createTransport } from 'nodemailer';
import { type Logger, silentLogger } from '../../logger.ts';
import type { ChannelAdapter, OutboundMessage, SendOutcome } from '../channel.ts';
import { type DestinationGuard, OPEN_DESTINATION_GUARD } from '../outbound/destination-guard.ts';
import { describeFetchError, refusedDestination } from '../provider-answer.ts';
import { emailMessageId } from './email-feedback.ts';
import { htmlToText } from './html-text.ts';
import type { ClickTracker, UnsubscribeLinks } from './signed-links.ts';

/** How long the adapter waits on the SMTP server, in ms. */
export interface SmtpTimeouts {
  /** To open the TCP (or TLS) connection: 5 s unless set. */
  connectionMs?: number;
  /** For the server's greeting once connected: 5 s unless set. */
  greetingMs?: number;
  /** Of silence on an open connection: 10 s unless set. */
  socketMs?: number;
}

/** Where and how the email adapter sends. */
export interface EmailAdapterOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  auth?: { user: string; pass: string };
  /** The sender, such as `Acme <hello@acme.example>`. */
  from: string;
  /** Signs the `List-Unsubscribe` links every message carries. */
  unsubscribe: UnsubscribeLinks;
  /** When set, the HTML part's web links are rewritten to signed click-tracking redirects. */
  clickTracking?: ClickTracker;
  timeouts?: SmtpTimeouts;
  /** Connections the pool keeps open at most: 5 unless set. */
  maxConnections?: number;
  logger?: Logger;
  /** Checked before each message: an SMTP host at a private address is refused unless allowed; default: no check (the workspace's adapter always gets one). */
  guard?: DestinationGuard;
}

/** The email channel adapter; `close` ends its pooled SMTP connections. */
export interface EmailAdapter extends ChannelAdapter {
  close(): void;
}

/** The email content an `OutboundMessage` carries. */
interface EmailContent {
  subject: string;
  text?: string;
  html?: string;
}

/**
 * Creates the email channel adapter: sends over SMTP through one pooled nodemailer transport.
 * Each message gets a stable `Message-ID` (`<id@tailor>`) and RFC 8058 one-click unsubscribe
 * headers; an HTML-only message gets a plain-text part derived from its HTML. SMTP has no
 * idempotency key: the outbox makes a send happen once, the Message-ID lets receivers tell a
 * repeat. Replies are classified: 2xx sent, 4xx and network failures retry, 550/551/553 to
 * `RCPT TO` failed and unreachable, other 5xx failed.
 */
export function createEmailAdapter(options: EmailAdapterOptions): EmailAdapter {
  const logger = options.logger ?? silentLogger;
  const guard = options.guard ?? OPEN_DESTINATION_GUARD;
  const transport = createTransport({
    pool: true,
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    auth: options.auth,
    maxConnections: options.maxConnections ?? 5,
    idleTimeout: 60_000,
    connectionTimeout: options.timeouts?.connectionMs ?? 5_000,
    greetingTimeout: options.timeouts?.greetingMs ?? 5_000,
    socketTimeout: options.timeouts?.socketMs ?? 10_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  transport.on('error', (error) => logger.warn({ err: error }, 'SMTP transport error'));

  return {
    channel: 'email',
    async send(message: OutboundMessage): Promise<SendOutcome> {
      if (message.channel !== 'email') {
        return { kind: 'failed', reason: `not an email message: ${message.channel}`, unreachable: false };
      }
      const content = readContent(message.content);
      if (typeof content === 'string') return { kind: 'failed', reason: content, unreachable: false };
      const html =
        content.html !== undefined && options.clickTracking !== undefined
          ? options.clickTracking.rewrite(content.html, message)
          : content.html;
      try {
        const refused = await guard({ host: options.host });
        if (refused !== undefined) return refusedDestination('SMTP server', refused);
      } catch (error) {
        return { kind: 'retry', reason: `SMTP server not resolved: ${describeFetchError(error)}` };
      }
      const messageId = emailMessageId(message.id);
      const unsubscribe = `<${options.unsubscribe.url(message)}>, <${options.unsubscribe.mailto(message)}>`;
      try {
        await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: content.subject,
          text: content.text ?? (html === undefined ? undefined : htmlToText(html)),
          html,
          messageId,
          headers: {
            'List-Unsubscribe': unsubscribe,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
        return { kind: 'sent', providerMessageId: messageId };
      } catch (error) {
        return classifySmtpError(error);
      }
    },
    close: () => transport.close(),
  };
}

/** The email content of a message, or why it cannot be sent. */
function readContent(content: Record<string, unknown>): EmailContent | string {
  const { subject, text, html } = content;
  if (typeof subject !== 'string' || subject.trim() === '') return 'email content needs a subject';
  if (text !== undefined && typeof text !== 'string') return 'email text must be a string';
  if (html !== undefined && typeof html !== 'string') return 'email html must be a string';
  if (text === undefined && html === undefined) return 'email content needs a text or an html body';
  const email: EmailContent = { subject };
  if (text !== undefined) email.text = text;
  if (html !== undefined) email.html = html;
  return email;
}

/** What a nodemailer error tells about the SMTP exchange that failed. */
interface SmtpFailure {
  message: string;
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
}

function readFailure(error: unknown): SmtpFailure {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const record = error as Record<string, unknown>;
  const text = (key: string): string | undefined =>
    typeof record[key] === 'string' ? (record[key] as string) : undefined;
  const failure: SmtpFailure = { message: text('message') ?? 'unknown SMTP error' };
  const code = text('code');
  const command = text('command');
  const response = text('response');
  if (code !== undefined) failure.code = code;
  if (command !== undefined) failure.command = command;
  if (response !== undefined) failure.response = response;
  if (typeof record['responseCode'] === 'number') failure.responseCode = record['responseCode'];
  return failure;
}

/** Reply codes to `RCPT TO` saying the mailbox does not exist or cannot be addressed. */
const BAD_MAILBOX = new Set([550, 551, 553]);

/**
 * Classifies a failed SMTP send: 4xx replies retry (after the wait the reply text names, if
 * any); a 550/551/553 to `RCPT TO` is failed and unreachable, unless its enhanced status is 5.7.x
 * (a policy block, which says nothing about the address); 503 (bad command sequence) and
 * authentication failures retry, since they are not the message's fault; other 5xx replies are
 * failed but leave the address alone; an address nodemailer cannot use is failed and
 * unreachable, a message it cannot build failed; connection errors, timeouts and anything
 * unknown retry.
 */
export function classifySmtpError(error: unknown): SendOutcome {
  const failure = readFailure(error);
  const code = failure.responseCode;
  const reason = failure.response ?? failure.message;
  if (code !== undefined && code >= 400 && code < 500) {
    const retryAfterMs = retryHint(reason);
    return retryAfterMs === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs };
  }
  if (failure.code === 'EAUTH' || failure.command?.startsWith('AUTH')) {
    return { kind: 'retry', reason: `SMTP authentication failed: ${reason}` };
  }
  if (code !== undefined && code >= 500 && code < 600) {
    if (code === 503) return { kind: 'retry', reason };
    const policy = /^5\d\d[ -]5\.7\.\d+/.test(reason);
    const unreachable = failure.command === 'RCPT TO' && BAD_MAILBOX.has(code) && !policy;
    return { kind: 'failed', reason, unreachable };
  }
  if (failure.code === 'EENVELOPE') return { kind: 'failed', reason, unreachable: true };
  if (failure.code === 'EMESSAGE' || failure.code === 'ECONFIG') {
    return { kind: 'failed', reason, unreachable: false };
  }
  return { kind: 'retry', reason: failure.code === undefined ? reason : `${failure.code}: ${reason}` };
}

/**
 * The wait a temporary rejection's text asks for, in ms. SMTP has no `Retry-After`; some servers
 * (greylisting, rate limits) say it in words, as in `try again in 7 seconds` or `retry in 5 minutes`.
 */
export function retryHint(response: string): number | undefined {
  const match =
    /\b(?:try again|retry|come back)\s+(?:in|after)\s+(\d{1,6})\s*(seconds?|secs?|s|minutes?|mins?|m)\b/i.exec(
      response,
    );
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  return amount * (unit.startsWith('m') ? 60_000 : 1_000);
}
