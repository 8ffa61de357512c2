import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message the local SMTP server received. */
export interface LocalMail {
  /** The envelope recipient. */
  to: string;
  /** Top-level headers, names lower-cased, folded lines joined. */
  headers: Map<string, string>;
  /** The decoded HTML part, '' when there is none. */
  html: string;
  /** The raw message as received. */
  raw: string;
}

/** A real SMTP server on a free local port that takes every message. */
export interface LocalSmtp {
  port: number;
  mails(): LocalMail[];
  close(): Promise<void>;
}

/** Starts an SMTP server (plain, no login, no STARTTLS) on `127.0.0.1` and a free port. */
export async function startLocalSmtp(): Promise<LocalSmtp> {
  const mails: LocalMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        for (const recipient of session.envelope.rcptTo) mails.push(readMail(recipient.address, raw));
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails: () => [...mails],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Headers and body of one MIME entity, continued header lines unfolded. */
function entity(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: split === -1 ? '' : raw.slice(split + 4) };
}

function readMail(to: string, raw: string): LocalMail {
  const { headers, body } = entity(raw);
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  const parts = boundary === undefined ? [raw] : body.split(`--${boundary}`).slice(1);
  let html = '';
  for (const part of parts) {
    const read = part === raw ? { headers, body } : entity(part.replace(/^\r\n/, ''));
    if (!(read.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')) continue;
    html = decode(read.body, read.headers.get('content-transfer-encoding'));
  }
  return { to, headers, html, raw };
}

/** A part's body decoded from base64 or quoted-printable (7bit and 8bit are as they are). */
function decode(body: string, encoding: string | undefined): string {
  const kind = (encoding ?? '7bit').toLowerCase();
  if (kind === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (kind !== 'quoted-printable') return body;
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i += 1) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined[i] ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
