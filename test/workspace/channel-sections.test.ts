import { describe, expect, it } from 'vitest';
import { LOOPBACK_HOSTS, networkPolicy } from '../../src/activate/outbound/network-policy.ts';
import type { ErrorDetail } from '../../src/errors.ts';
import { parseWorkspaceDocument, parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { thrownTailorError } from '../support/thrown.ts';

/** A workspace with nothing else; `channels:` follows on line 4, its channels from line 5 on. */
const HEADER = `workspace:
  id: shop
  name: Shop
`;

/** The deployment these tests run under: local provider servers on this machine are allowed. */
const LOCAL = networkPolicy(LOOPBACK_HOSTS);

function details(text: string): ErrorDetail[] {
  const error = thrownTailorError(() => parseWorkspaceYaml({ text, fileName: 'shop.yaml', network: LOCAL }));
  expect(error.code).toBe('INVALID_WORKSPACE');
  return error.details;
}

/** A `channels` section holding `body` (lines indented by two spaces, from line 5). */
function channels(body: string): string {
  return `${HEADER}channels:\n${body}`;
}

const WEBHOOK = `  webhook:\n    url: https://crm.example.com/tailor\n    secret: \${TAILOR_SECRET_CRM_WEBHOOK}\n`;

describe('mapping the channels section to a definition', () => {
  it('maps every channel, camelCase, keeping the secret references as written', () => {
    const definition = parseWorkspaceYaml({
      network: LOCAL,
      text: channels(`  email:
    host: 127.0.0.1
    port: 2525
    secure: false
    user: tailor
    password: \${TAILOR_SECRET_SMTP_PASSWORD}
    from: "Tailor Demo <hello@example.com>"
    link_base_url: http://127.0.0.1:3000
    link_secret: \${TAILOR_SECRET_LINK}
    rate_per_second: 20
  whatsapp:
    base_url: http://127.0.0.1:4010/v21.0
    phone_number_id: "1234567890"
    access_token: \${TAILOR_SECRET_WHATSAPP_ACCESS_TOKEN}
    app_secret: \${TAILOR_SECRET_WHATSAPP_APP_SECRET}
    verify_token: local-verify-token
    rate_per_second: 20
  sms: { base_url: "http://[::1]:4011", account_sid: AC123, auth_token: "\${TAILOR_SECRET_TWILIO_AUTH_TOKEN}", from: "+15005550006", messaging_service_sid: MG123, rate_per_second: 10 }
${WEBHOOK}`),
    });
    expect(definition.channels).toEqual({
      email: {
        host: '127.0.0.1',
        port: 2525,
        secure: false,
        user: 'tailor',
        password: `\${TAILOR_SECRET_SMTP_PASSWORD}`,
        from: 'Tailor Demo <hello@example.com>',
        linkBaseUrl: 'http://127.0.0.1:3000',
        linkSecret: `\${TAILOR_SECRET_LINK}`,
        ratePerSecond: 20,
      },
      whatsapp: {
        baseUrl: 'http://127.0.0.1:4010/v21.0',
        phoneNumberId: '1234567890',
        accessToken: `\${TAILOR_SECRET_WHATSAPP_ACCESS_TOKEN}`,
        appSecret: `\${TAILOR_SECRET_WHATSAPP_APP_SECRET}`,
        verifyToken: 'local-verify-token',
        ratePerSecond: 20,
      },
      sms: {
        baseUrl: 'http://[::1]:4011',
        accountSid: 'AC123',
        authToken: `\${TAILOR_SECRET_TWILIO_AUTH_TOKEN}`,
        from: '+15005550006',
        messagingServiceSid: 'MG123',
        ratePerSecond: 10,
      },
      webhook: { url: 'https://crm.example.com/tailor', secret: `\${TAILOR_SECRET_CRM_WEBHOOK}` },
    });
  });

  it('leaves out what the file leaves out, and channels when the file has no section', () => {
    expect(parseWorkspaceYaml({ text: HEADER })).not.toHaveProperty('channels');
    const definition = parseWorkspaceYaml({
      text: channels(`  whatsapp:
    phone_number_id: "1234567890"
    access_token: \${TAILOR_SECRET_WHATSAPP_ACCESS_TOKEN}
    app_secret: \${TAILOR_SECRET_WHATSAPP_APP_SECRET}
    verify_token: \${TAILOR_SECRET_WHATSAPP_VERIFY_TOKEN}
  sms:
    account_sid: AC123
    auth_token: \${TAILOR_SECRET_TWILIO_AUTH_TOKEN}
    messaging_service_sid: MG123
`),
    });
    expect(definition.channels).toEqual({
      whatsapp: {
        phoneNumberId: '1234567890',
        accessToken: `\${TAILOR_SECRET_WHATSAPP_ACCESS_TOKEN}`,
        appSecret: `\${TAILOR_SECRET_WHATSAPP_APP_SECRET}`,
        verifyToken: `\${TAILOR_SECRET_WHATSAPP_VERIFY_TOKEN}`,
      },
      sms: {
        accountSid: 'AC123',
        authToken: `\${TAILOR_SECRET_TWILIO_AUTH_TOKEN}`,
        messagingServiceSid: 'MG123',
      },
    });
    expect(parseWorkspaceYaml({ text: `${HEADER}channels: {}\n` }).channels).toEqual({});
  });

  it('does not read the environment', () => {
    const before = process.env.TAILOR_SECRET_CRM_WEBHOOK;
    process.env.TAILOR_SECRET_CRM_WEBHOOK = 'from-the-environment';
    try {
      const definition = parseWorkspaceYaml({ text: channels(WEBHOOK) });
      expect(definition.channels?.webhook?.secret).toBe(`\${TAILOR_SECRET_CRM_WEBHOOK}`);
      expect(JSON.stringify(definition)).not.toContain('from-the-environment');
    } finally {
      if (before === undefined) delete process.env.TAILOR_SECRET_CRM_WEBHOOK;
      else process.env.TAILOR_SECRET_CRM_WEBHOOK = before;
    }
  });

  it('accepts the same document as JSON', () => {
    const definition = parseWorkspaceDocument({
      workspace: { id: 'shop', name: 'Shop' },
      channels: {
        webhook: { url: 'https://crm.example.com/tailor', secret: `\${TAILOR_SECRET_CRM_WEBHOOK}` },
      },
    });
    expect(definition.channels).toEqual({
      webhook: { url: 'https://crm.example.com/tailor', secret: `\${TAILOR_SECRET_CRM_WEBHOOK}` },
    });
  });
});

/** An email channel whose every field is valid, then `extra` lines. */
function email(extra: string): string {
  return channels(
    `  email:\n    host: smtp.example.com\n    port: 587\n    from: hello@example.com\n    link_base_url: https://t.example.com\n    link_secret: \${TAILOR_SECRET_LINK}\n${extra}`,
  );
}

describe('channel errors point at file:line:col and the field', () => {
  it.each<[string, string, string, RegExp]>([
    [
      'a misspelt channel, with a suggestion',
      channels('  whatsap: {}\n'),
      'shop.yaml:5:3 channels.whatsap',
      /unknown field `whatsap`: did you mean `whatsapp`\?/,
    ],
    [
      'a misspelt section, with a suggestion',
      `${HEADER}channel: {}\n`,
      'shop.yaml:4:1 channel',
      /unknown field `channel`: did you mean `channels`\?/,
    ],
    [
      'a missing field',
      channels('  webhook:\n    url: https://crm.example.com/tailor\n'),
      'shop.yaml:6:5 channels.webhook.secret',
      /`secret` is required: The shared key both sides sign with: write \$\{NAME\}/,
    ],
    [
      'a URL that does not parse',
      channels(`  webhook:\n    url: crm.example.com/tailor\n    secret: \${TAILOR_SECRET_CRM_WEBHOOK}\n`),
      'shop.yaml:6:10 channels.webhook.url',
      /`crm.example.com\/tailor` is not a URL: write it in full, with https:\/\//,
    ],
    [
      'a URL that is not a web address',
      channels(
        `  webhook:\n    url: ftp://crm.example.com/tailor\n    secret: \${TAILOR_SECRET_CRM_WEBHOOK}\n`,
      ),
      'shop.yaml:6:10 channels.webhook.url',
      /`ftp:\/\/crm.example.com\/tailor` is not a web address: use https:/,
    ],
    [
      'an http: URL to a remote server',
      channels(
        `  webhook:\n    url: http://crm.example.com/tailor\n    secret: \${TAILOR_SECRET_CRM_WEBHOOK}\n`,
      ),
      'shop.yaml:6:10 channels.webhook.url',
      /`http:\/\/crm.example.com\/tailor` is not encrypted: use https:, as http: is allowed only for hosts listed in TAILOR_ALLOW_HTTP_HOSTS/,
    ],
    [
      'an http: link base to a remote server',
      channels(
        `  email:\n    host: smtp.example.com\n    port: 587\n    from: hello@example.com\n    link_base_url: http://t.example.com\n    link_secret: \${TAILOR_SECRET_LINK}\n`,
      ),
      'shop.yaml:9:20 channels.email.link_base_url',
      /`http:\/\/t.example.com` is not encrypted/,
    ],
    [
      'a port of 0',
      channels(
        '  email:\n    host: 127.0.0.1\n    port: 0\n    from: a@example.com\n    link_base_url: http://localhost:3000\n    link_secret: local-link-secret-0123\n',
      ),
      'shop.yaml:7:11 channels.email.port',
      /must be at least 1, not 0 \(the SMTP port, from 1 to 65535/,
    ],
    [
      'a port past 65535',
      email('    rate_per_second: 5\n').replace('port: 587', 'port: 65536'),
      'shop.yaml:7:11 channels.email.port',
      /must be at most 65535, not 65536/,
    ],
    [
      'a rate of 0',
      `${channels(WEBHOOK)}    rate_per_second: 0\n`,
      'shop.yaml:8:22 channels.webhook.rate_per_second',
      /must be at least 1, not 0 \(at most this many sends start each second/,
    ],
    [
      'a rate past 1000',
      `${channels(WEBHOOK)}    rate_per_second: 1001\n`,
      'shop.yaml:8:22 channels.webhook.rate_per_second',
      /must be at most 1000, not 1001/,
    ],
    [
      'an sms channel with no sender',
      channels(`  sms:\n    account_sid: AC123\n    auth_token: \${TAILOR_SECRET_TWILIO_AUTH_TOKEN}\n`),
      'shop.yaml:6:5 channels.sms',
      /the sms channel needs a sender: `from` .* or `messaging_service_sid`/,
    ],
    [
      'a literal secret for a remote provider',
      channels(
        `  whatsapp:\n    phone_number_id: "1234567890"\n    access_token: EAAsecret123\n    app_secret: \${TAILOR_SECRET_WHATSAPP_APP_SECRET}\n    verify_token: \${TAILOR_SECRET_WHATSAPP_VERIFY_TOKEN}\n`,
      ),
      'shop.yaml:7:19 channels.whatsapp.access_token',
      /^`access_token` is written in the file: set it in an environment variable and write `\$\{TAILOR_SECRET_WHATSAPP_ACCESS_TOKEN\}`, as a literal secret is allowed only for a host listed in TAILOR_ALLOW_HTTP_HOSTS/,
    ],
    [
      'a literal SMTP password for a remote server',
      email('    user: tailor\n    password: hunter2\n'),
      'shop.yaml:12:15 channels.email.password',
      /`password` is written in the file: .* `\$\{TAILOR_SECRET_EMAIL_PASSWORD\}`/,
    ],
    [
      'a literal link secret for a remote link base',
      channels(
        '  email:\n    host: 127.0.0.1\n    port: 2525\n    from: a@example.com\n    link_base_url: https://t.example.com\n    link_secret: a-literal-link-secret\n',
      ),
      'shop.yaml:10:18 channels.email.link_secret',
      /`link_secret` is written in the file/,
    ],
    [
      'a literal webhook secret for a remote receiver',
      channels('  webhook:\n    url: https://crm.example.com/tailor\n    secret: s3cret\n'),
      'shop.yaml:7:13 channels.webhook.secret',
      /`secret` is written in the file: .* `\$\{TAILOR_SECRET_WEBHOOK_SECRET\}`/,
    ],
    [
      'a reference to a variable in lowercase',
      channels(`  webhook:\n    url: https://crm.example.com/tailor\n    secret: \${crm_secret}\n`),
      'shop.yaml:7:13 channels.webhook.secret',
      /not a valid environment variable reference: write `\$\{NAME\}` alone, NAME being capitals, digits and _/,
    ],
    [
      'a reference with text around it',
      channels(
        `  sms:\n    account_sid: AC1\n    auth_token: tok-\${TWILIO_TOKEN}\n    from: "+15005550006"\n`,
      ),
      'shop.yaml:7:17 channels.sms.auth_token',
      /not a valid environment variable reference/,
    ],
    [
      'a reference to a name starting with a digit, even for a local server',
      channels(
        `  sms:\n    base_url: http://localhost:4011\n    account_sid: AC1\n    auth_token: \${1TOKEN}\n    from: "+1500"\n`,
      ),
      'shop.yaml:8:17 channels.sms.auth_token',
      /not a valid environment variable reference/,
    ],
    [
      'an SMTP user without a password',
      email('    user: tailor\n'),
      'shop.yaml:6:5 channels.email',
      /an SMTP `user` needs a `password`, like password: \$\{TAILOR_SECRET_SMTP_PASSWORD\}/,
    ],
  ])('reports %s', (_name, text, path, message) => {
    const found = details(text);
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe(path);
    expect(found[0]?.message).toMatch(message);
  });

  it('never repeats a literal secret in a message', () => {
    const found = details(
      channels('  webhook:\n    url: https://crm.example.com/tailor\n    secret: do-not-echo-me\n'),
    );
    expect(JSON.stringify(found)).not.toContain('do-not-echo-me');
  });

  it('takes literal secrets for local provider servers, and for a local SMTP server', () => {
    const definition = parseWorkspaceYaml({
      network: LOCAL,
      text: channels(`  email:
    host: localhost
    port: 2525
    user: tailor
    password: local-password
    from: a@example.com
    link_base_url: http://127.0.0.1:3000
    link_secret: local-link-secret-0123
  whatsapp:
    base_url: http://localhost:4010/v21.0
    phone_number_id: "1"
    access_token: local-token
    app_secret: local-app-secret
    verify_token: local-verify
  sms:
    base_url: http://127.0.0.1:4011
    account_sid: AC1
    auth_token: local-auth-token
    from: "+15005550006"
  webhook:
    url: http://[::1]:4012/hook
    secret: local-webhook-secret
`),
    });
    expect(Object.keys(definition.channels ?? {})).toEqual(['email', 'whatsapp', 'sms', 'webhook']);
  });

  it('reports every channel problem at once, in file order', () => {
    const found = details(
      channels(`  sms:
    base_url: http://api.twilio.example
    account_sid: AC1
    auth_token: \${twilio}
  webhook:
    url: https://crm.example.com/tailor
    secret: literal
    rate_per_second: 0
`),
    );
    expect(found.map((detail) => detail.path)).toEqual([
      'shop.yaml:6:5 channels.sms',
      'shop.yaml:6:15 channels.sms.base_url',
      'shop.yaml:8:17 channels.sms.auth_token',
      'shop.yaml:11:13 channels.webhook.secret',
      'shop.yaml:12:22 channels.webhook.rate_per_second',
    ]);
  });
});
