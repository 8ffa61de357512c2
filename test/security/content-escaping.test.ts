import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileDecisions } from '../../src/decide/compile-decisions.ts';
import { templateScope } from '../../src/decide/decision-context.ts';
import { renderContent } from '../../src/decide/render-content.ts';
import { parseWorkspaceYaml } from '../../src/workspace/load-workspace.ts';
import { personContext } from '../decide/decision-fixtures.ts';
import { basic, bearer, openTestTailor, type TestTailor, workspaceYaml } from '../support/test-tailor.ts';

/** The trait of the report: markup that runs script when a page inserts it as HTML. */
const EVIL = '<img src=x onerror=alert(1)>';
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

const NAME = '{{ profile.traits.first_name }}';

/** Placements and actions with every kind of field the escaping rules tell apart. */
const DECISIONS = `placements:
  - key: home_banner
    variants:
      - key: default
        content:
          title: "Hi ${NAME}"
          hero: { lines: ["${NAME}"] }
          trusted: "{{ profile.traits.first_name | raw }}"
  - key: app_label
    format: text
    variants:
      - key: default
        content: { title: "Hi ${NAME}" }
actions:
  - key: welcome
    channels: [email, sms, whatsapp, push, in_app]
    content:
      email:
        subject: "Hi ${NAME}"
        text: "Hi ${NAME}"
        html: "<p>Hi ${NAME}</p>"
      sms: { text: "Hi ${NAME}" }
      whatsapp: { text: "Hi ${NAME}" }
      push: { title: "${NAME}", body: "Hi ${NAME}" }
      in_app: { title: "${NAME}", body_html: "<b>${NAME}</b>" }
    value: 10
`;

describe('content output is HTML-escaped where the content is HTML', () => {
  const { decisions } = parseWorkspaceYaml({ text: `${workspaceYaml('shop')}${DECISIONS}` });
  if (decisions === undefined) throw new Error('the workspace declares decisions');
  const compiled = compileDecisions(decisions);
  const scope = templateScope({ id: 'prf_1', profile: personContext({ traits: { first_name: EVIL } }) });

  it('a placement is HTML by default: every output is escaped, `| raw` opts one out', () => {
    const variant = compiled.placements.get('home_banner')?.variants[0];
    expect(variant).toBeDefined();
    if (variant === undefined) return;
    expect(renderContent(variant.content, scope).content).toEqual({
      title: `Hi ${ESCAPED}`,
      hero: { lines: [ESCAPED] },
      trusted: EVIL,
    });
  });

  it('a placement declared `format: text` is written as it is', () => {
    const variant = compiled.placements.get('app_label')?.variants[0];
    expect(variant).toBeDefined();
    if (variant === undefined) return;
    expect(renderContent(variant.content, scope).content).toEqual({ title: `Hi ${EVIL}` });
  });

  it('in actions only `html` and `*_html` fields are escaped: email html and in-app body_html yes; subject, text, SMS, WhatsApp, push no', () => {
    const action = compiled.actionsByKey.get('welcome');
    const render = (channel: string) => {
      const content = action?.content.get(channel);
      expect(content).toBeDefined();
      return content === undefined ? undefined : renderContent(content, scope).content;
    };
    expect(render('email')).toEqual({
      subject: `Hi ${EVIL}`,
      text: `Hi ${EVIL}`,
      html: `<p>Hi ${ESCAPED}</p>`,
    });
    expect(render('sms')).toEqual({ text: `Hi ${EVIL}` });
    expect(render('whatsapp')).toEqual({ text: `Hi ${EVIL}` });
    expect(render('push')).toEqual({ title: EVIL, body: `Hi ${EVIL}` });
    expect(render('in_app')).toEqual({ title: EVIL, body_html: `<b>${ESCAPED}</b>` });
  });

  it('quotes and ampersands are escaped too, so output is safe inside an attribute', () => {
    const variant = compiled.placements.get('home_banner')?.variants[0];
    if (variant === undefined) throw new Error('no variant');
    const quoted = templateScope({
      id: 'prf_1',
      profile: personContext({ traits: { first_name: `" onmouseover='x' & more` } }),
    });
    expect(renderContent(variant.content, quoted).content).toMatchObject({
      title: 'Hi &#34; onmouseover=&#39;x&#39; &amp; more',
    });
  });
});

describe('through the decide API', () => {
  let t: TestTailor;
  beforeEach(async () => {
    t = await openTestTailor();
    const applied = await t.app.inject({
      method: 'PUT',
      url: '/v1/workspace',
      headers: { authorization: bearer(t.adminKey), 'content-type': 'application/yaml' },
      payload: `${workspaceYaml('shop')}${DECISIONS}`,
    });
    expect(applied.statusCode, applied.body).toBe(200);
  });
  afterEach(async () => {
    await t.close();
  });

  function post(url: string, body: Record<string, unknown>) {
    return t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', authorization: basic(t.writeKey) },
      payload: JSON.stringify(body),
    });
  }

  it('a write-key visitor who names themself `<img src=x onerror=…>` gets it back escaped in the banner', async () => {
    const identify = await post('/v1/identify', { anonymousId: 'anon-1', traits: { first_name: EVIL } });
    expect(identify.statusCode, identify.body).toBe(200);
    const reply = await post('/v1/decide', {
      anonymousId: 'anon-1',
      placements: ['home_banner', 'app_label'],
    });
    expect(reply.statusCode, reply.body).toBe(200);
    const { placements } = reply.json();
    expect(placements.home_banner.content).toEqual({
      title: `Hi ${ESCAPED}`,
      hero: { lines: [ESCAPED] },
      trusted: EVIL,
    });
    expect(placements.app_label.content).toEqual({ title: `Hi ${EVIL}` });
  });
});
