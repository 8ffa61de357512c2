import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { DEMO_NETWORK_POLICY, DEMO_WORKSPACE_FILE } from '../../src/app/settings.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { literalSecrets, redactWorkspaceText } from '../../src/workspace/redact-workspace.ts';

const DEMO = readFileSync(DEMO_WORKSPACE_FILE, 'utf8');
const demo = () => parseWorkspaceYaml({ text: DEMO, network: DEMO_NETWORK_POLICY });

describe('redacting a workspace file', () => {
  it("finds the demo's literal channel secrets, and not its TAILOR_SECRET_IDENTITY reference", () => {
    expect(literalSecrets(demo()).sort()).toEqual([
      'demo-meta-ads-access-token',
      'demo-twilio-auth-token',
      'demo-whatsapp-access-token',
      'demo-whatsapp-app-secret',
      'demo-whatsapp-verify-token',
    ]);
  });

  it('hides each of them and keeps the rest of the file as written, comments included', () => {
    const shown = redactWorkspaceText(DEMO, literalSecrets(demo()));
    for (const secret of literalSecrets(demo())) expect(shown).not.toContain(secret);
    expect(shown).toContain('app_secret: "[redacted]" # signs the status and reply webhooks');
    expect(shown).toContain(`verification_secret: \${TAILOR_SECRET_IDENTITY}`);
    expect(shown.split('\n')).toHaveLength(DEMO.split('\n').length);
    expect(parseDocument(shown).errors).toEqual([]);
  });

  it('hides a secret in a JSON document too, and wherever else the text holds it', () => {
    const json = JSON.stringify({ a: { token: 'abc-123-secret' }, note: 'see abc-123-secret' }, null, 2);
    const shown = redactWorkspaceText(json, ['abc-123-secret']);
    expect(JSON.parse(shown)).toEqual({ a: { token: '[redacted]' }, note: 'see [redacted]' });
    expect(redactWorkspaceText(json, [])).toBe(json);
  });

  it('refuses "[redacted]" given as a secret: it was copied from an answer, not the secret', () => {
    const copied = DEMO.replace('app_secret: demo-whatsapp-app-secret', 'app_secret: "[redacted]"').replace(
      `verification_secret: \${TAILOR_SECRET_IDENTITY}`,
      'verification_secret: "[redacted]"',
    );
    let details: { path: string; message: string }[] = [];
    try {
      parseWorkspaceYaml({ text: copied, network: DEMO_NETWORK_POLICY });
    } catch (error) {
      details = (error as { details: { path: string; message: string }[] }).details;
    }
    const refused = details.filter((detail) => detail.message.includes('how Tailor shows a secret it hides'));
    expect(refused.map((detail) => detail.path.replace(/^.*?:\d+:\d+ /, ''))).toEqual([
      expect.stringContaining('identity.verification_secret'),
      expect.stringContaining('channels.whatsapp.app_secret'),
    ]);
  });
});
