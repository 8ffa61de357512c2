import { type Callback, type CallOptions, idArgs, isObject, pageArgs, trackArgs } from './call-args.ts';
import { browserContext } from './context.ts';
import { Delivery, type DeliveryOptions, type Message } from './delivery.ts';
import { ExposureReporter } from './exposure-reporter.ts';
import {
  cachedPlacement,
  cachePlacement,
  clearPlacementCache,
  PLACEMENT_ATTR,
  type Placement,
  READY_ATTR,
  renderPlacement,
} from './placements.ts';
import { type CookieOptions, KEYS, local, readId, writeId } from './storage.ts';
import { uuid } from './uuid.ts';

/** What `tailor.load` takes. */
export interface LoadOptions extends Partial<Omit<DeliveryOptions, 'writeKey'>> {
  writeKey: string;
  /** Context laid over every event and decide call: say `location` from your CDN's geo header. */
  context?: Record<string, unknown>;
  /** How long placements stay hidden waiting for decide before showing their default (ms, default 300). */
  timeout?: number;
  /** Render `[data-tailor-placement]` elements by themselves (default true). */
  autoRender?: boolean;
  /**
   * Send nothing and store nothing about the visitor until `tailor.consent()` grants this
   * category (`true` means `'analytics'`). Placements are still decided from `context` alone.
   */
  requireConsent?: boolean | string;
  cookie?: CookieOptions;
}

/** Consent preferences by category or channel: `{ analytics: true, email: true, sms: false }`. */
export type Consent = Record<string, boolean>;

/** The localStorage keys of the consent given, and of the user id's identity token. */
const CONSENT_KEY = 'tailor_consent';
const TOKEN_KEY = 'tailor_user_token';

/**
 * The browser SDK: analytics.js's calls (`page`, `track`, `identify`, `alias`, `group`,
 * `reset`, `user`) and placements (`decide`, `render`). Calls made before `load` wait for it.
 */
export class Tailor {
  private options: LoadOptions | undefined;
  private host = '';
  private delivery: Delivery | undefined;
  private exposures: ExposureReporter | undefined;
  private waiting: (() => void)[] = [];
  private memory: { anonymousId: string | null; userId: string | null } = {
    anonymousId: null,
    userId: null,
  };
  private consentGiven: Consent | undefined;
  /** The latest decide request per element, so an earlier slower answer never overwrites it. */
  private readonly renderSeq = new WeakMap<Element, number>();
  private seq = 0;

  /** Resolves once `load` ran. */
  readonly ready: Promise<void>;
  private markReady: () => void = () => {};

  constructor() {
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  /** Starts the SDK: where Tailor is, the write key, and how to behave. Later calls are ignored. */
  load(options: LoadOptions): this {
    if (this.options !== undefined) return this;
    this.options = options;
    this.host = (options.host ?? '').replace(/\/+$/, '');
    const saved = local.get(CONSENT_KEY);
    this.consentGiven = isObject(saved) ? (saved as Consent) : undefined;
    this.delivery = new Delivery({ ...options, host: this.host }, this.mayStore());
    this.exposures = new ExposureReporter({ host: this.host, writeKey: options.writeKey });
    if (this.mayStore()) this.anonymousId();
    this.markReady();
    for (const call of this.waiting.splice(0)) call();
    if (options.autoRender !== false) {
      if (document.readyState === 'loading')
        document.addEventListener('DOMContentLoaded', () => void this.render());
      else void this.render();
    }
    return this;
  }

  /** `page([category], [name], [properties], [options], [callback])`, as analytics.js. */
  page(...args: unknown[]): void {
    const { category, name, properties, options, callback } = pageArgs(args);
    this.later(() => {
      const context = browserContext(undefined);
      const page = context['page'] as Record<string, unknown>;
      this.send(
        {
          type: 'page',
          ...(name === undefined ? {} : { name }),
          ...(category === undefined ? {} : { category }),
          properties: { ...page, ...(name === undefined ? {} : { name }), ...properties },
        },
        options,
        callback,
      );
    });
  }

  /** `track(event, [properties], [options], [callback])`. */
  track(...args: unknown[]): void {
    const { event, properties, options, callback } = trackArgs(args);
    this.later(() => this.send({ type: 'track', event, properties }, options, callback));
  }

  /**
   * `identify([userId], [traits], [options], [callback])`. Give `options.userToken`, the
   * identity token your server computed for this userId, so decide personalizes for the
   * logged-in person; without it decide sees only the visit. A new userId clears the traits
   * and the cached placements of the previous one.
   */
  identify(...args: unknown[]): void {
    const { id, traits, options, callback } = idArgs(args);
    this.later(() => {
      const previous = this.userId();
      if (id !== undefined && id !== previous) {
        if (previous !== null) {
          local.set(KEYS.userTraits, null);
          clearPlacementCache();
        }
        this.setId('userId', KEYS.userId, id);
        if (options.userToken === undefined) this.store(TOKEN_KEY, null);
      }
      if (typeof options.userToken === 'string') this.store(TOKEN_KEY, options.userToken);
      const kept = local.get(KEYS.userTraits);
      const merged = { ...(isObject(kept) ? kept : {}), ...traits };
      this.store(KEYS.userTraits, merged);
      const { userToken: _token, ...rest } = options;
      this.send({ type: 'identify', traits: merged }, rest, callback);
    });
  }

  /** `group(groupId, [traits], [options], [callback])`. */
  group(...args: unknown[]): void {
    const { id, traits, options, callback } = idArgs(args);
    this.later(() => {
      if (id !== undefined) this.store(KEYS.groupId, id);
      const groupId = id ?? local.get(KEYS.groupId);
      this.send(
        { type: 'group', ...(typeof groupId === 'string' ? { groupId } : {}), traits },
        options,
        callback,
      );
    });
  }

  /** `alias(to, [from], [options], [callback])`: `from` defaults to the current user or anonymous id. */
  alias(to: string, ...args: unknown[]): void {
    const from = typeof args[0] === 'string' ? args[0] : undefined;
    const rest = from === undefined ? args : args.slice(1);
    const options = (rest.find(isObject) ?? {}) as CallOptions;
    const callback = rest.find((arg): arg is Callback => typeof arg === 'function');
    this.later(() => {
      const previousId = from ?? this.userId() ?? this.anonymousId();
      this.setId('userId', KEYS.userId, to);
      this.send({ type: 'alias', previousId }, options, callback);
    });
  }

  /** Forgets the visitor (logout): user id, traits, group, identity token, cached placements and the anonymous id. */
  reset(): void {
    this.later(() => {
      this.setId('userId', KEYS.userId, null);
      this.setId('anonymousId', KEYS.anonymousId, null);
      for (const key of [KEYS.userTraits, KEYS.groupId, KEYS.groupTraits, TOKEN_KEY]) local.set(key, null);
      clearPlacementCache();
      if (this.mayStore()) this.anonymousId();
    });
  }

  /** The visitor as analytics.js's `analytics.user()` shows it. */
  user(): { id(): string | null; anonymousId(): string; traits(): Record<string, unknown> } {
    return {
      id: () => this.userId(),
      anonymousId: () => this.anonymousId(),
      traits: () => {
        const traits = local.get(KEYS.userTraits);
        return isObject(traits) ? traits : {};
      },
    };
  }

  /**
   * Records the visitor's choices: a `Segment Consent Preference Updated` event whose
   * `context.consent.categoryPreferences` the profile takes as consent per channel, and every
   * later event carries them too. When `load` asked for consent, sending starts once it grants
   * that category.
   */
  consent(preferences: Consent): void {
    this.later(() => {
      this.consentGiven = { ...this.consentGiven, ...preferences };
      local.set(CONSENT_KEY, this.consentGiven);
      if (this.mayStore()) {
        this.anonymousId();
        this.delivery?.start();
      }
      this.send({ type: 'track', event: 'Segment Consent Preference Updated', properties: {} }, {});
    });
  }

  /** Sends the events waiting now. */
  async flush(): Promise<void> {
    await this.ready;
    await this.delivery?.flush();
  }

  /**
   * Decides placements now and returns their content by key (a failed request rejects). Each
   * answer is cached for the next page. Elements showing one of these placements are rendered
   * with the answer, and it is recorded as shown once they are seen.
   */
  async decide(placements: string[]): Promise<Record<string, Placement>> {
    await this.ready;
    let answer: Record<string, Placement>;
    try {
      answer = await this.request(placements);
    } catch (error) {
      // Never leave an element hidden: without an answer it shows its default markup.
      for (const element of this.elements(placements))
        if (!element.hasAttribute(READY_ATTR)) renderPlacement(element, undefined);
      throw error;
    }
    for (const element of this.elements(placements)) {
      this.renderSeq.set(element, ++this.seq);
      this.show(element, answer[element.getAttribute(PLACEMENT_ATTR) ?? '']);
    }
    return answer;
  }

  /** The last answer for a placement cached in this browser, if it belongs to this visitor. */
  cached(placement: string): Placement | undefined {
    return this.mayStore() ? cachedPlacement(placement, this.who()) : undefined;
  }

  /**
   * Renders every `[data-tailor-placement]` element not rendered yet: from the cached answer at
   * once when there is one, else when decide answers, or with its own default markup once the
   * timeout passes. A cached answer is refreshed in the background; the fresh one replaces it
   * only when the variant changed.
   */
  async render(root: ParentNode = document): Promise<void> {
    await this.ready;
    const elements = Array.from(
      root.querySelectorAll<HTMLElement>(`[${PLACEMENT_ATTR}]:not([${READY_ATTR}])`),
    );
    if (elements.length === 0) return;
    const seq = ++this.seq;
    const shown = new Map<HTMLElement, string | null>();
    for (const element of elements) {
      this.renderSeq.set(element, seq);
      const cached = this.cached(element.getAttribute(PLACEMENT_ATTR) ?? '');
      if (cached !== undefined) {
        renderPlacement(element, cached);
        shown.set(element, cached.variant);
      }
    }
    const timer = setTimeout(() => {
      for (const element of elements) if (!shown.has(element)) shown.set(element, null);
      for (const element of elements)
        if (!element.hasAttribute(READY_ATTR)) renderPlacement(element, undefined);
    }, this.options?.timeout ?? 300);
    const keys = [...new Set(elements.map((element) => element.getAttribute(PLACEMENT_ATTR) ?? ''))];
    let answer: Record<string, Placement>;
    try {
      answer = await this.request(keys);
    } catch {
      return; // the timeout shows the defaults
    } finally {
      clearTimeout(timer);
    }
    for (const element of elements) {
      if (this.renderSeq.get(element) !== seq) continue;
      const fresh = answer[element.getAttribute(PLACEMENT_ATTR) ?? ''];
      const before = shown.get(element);
      // Shown its default after the timeout: keep it (no late swap); the answer is cached for next time.
      if (before === null) continue;
      if (before === undefined || before !== fresh?.variant) this.show(element, fresh);
      else if (fresh?.exposure !== undefined) this.exposures?.watch(element, fresh.exposure);
    }
  }

  /** Records a decided placement as shown once `element` (showing it) is seen; for pages rendering it themselves. */
  observe(element: Element, answer: Placement): void {
    if (answer.exposure !== undefined) this.exposures?.watch(element, answer.exposure);
  }

  /** Renders an answer into an element and watches it so it is recorded once seen. */
  private show(element: HTMLElement, answer: Placement | undefined): void {
    renderPlacement(element, answer);
    if (answer?.exposure !== undefined) this.exposures?.watch(element, answer.exposure);
  }

  private elements(placements: string[]): HTMLElement[] {
    return Array.from(document.querySelectorAll<HTMLElement>(`[${PLACEMENT_ATTR}]`)).filter((element) =>
      placements.includes(element.getAttribute(PLACEMENT_ATTR) ?? ''),
    );
  }

  /** `POST /v1/decide` for this visitor; caches each answer. Before consent, only `context` is sent. */
  private async request(placements: string[]): Promise<Record<string, Placement>> {
    const options = this.options;
    if (options === undefined) throw new Error('tailor.load() first');
    const storing = this.mayStore();
    const userId = this.userId();
    const token = local.get(TOKEN_KEY);
    const body = {
      writeKey: options.writeKey,
      placements,
      exposure: 'on_view',
      context: storing ? browserContext(this.extraContext({})) : { ...options.context },
      ...(storing ? { anonymousId: this.anonymousId() } : {}),
      ...(storing && userId !== null && typeof token === 'string' ? { userId, userToken: token } : {}),
    };
    const response = await fetch(`${this.host}/v1/decide`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`decide answered ${response.status}`);
    const decision = (await response.json()) as { placements?: Record<string, Placement> };
    const answer = decision.placements ?? {};
    if (storing) for (const [key, value] of Object.entries(answer)) cachePlacement(key, this.who(), value);
    return answer;
  }

  /** Fills a message as analytics.js does (ids, messageId, timestamp, context) and queues it. */
  private send(message: Message, options: CallOptions, callback?: Callback): void {
    const userId = this.userId();
    const { context, anonymousId, timestamp, integrations } = options;
    const full: Message = {
      ...message,
      messageId: `tailor-${uuid()}`,
      anonymousId: anonymousId ?? this.anonymousId(),
      ...(userId === null ? {} : { userId }),
      timestamp: new Date(timestamp ?? Date.now()).toISOString(),
      context: browserContext(this.extraContext(context ?? {})),
      integrations: integrations ?? {},
    };
    this.delivery?.add(full);
    if (callback !== undefined) setTimeout(callback, 0);
  }

  private extraContext(call: Record<string, unknown>): Record<string, unknown> {
    return {
      ...this.options?.context,
      ...(this.consentGiven === undefined ? {} : { consent: { categoryPreferences: this.consentGiven } }),
      ...call,
    };
  }

  private later(call: () => void): void {
    if (this.options === undefined) this.waiting.push(call);
    else call();
  }

  /** Whether the visitor may be stored and sent: always, unless `load` asked for consent not given yet. */
  private mayStore(): boolean {
    const required = this.options?.requireConsent;
    if (required === undefined || required === false) return true;
    const category = required === true ? 'analytics' : required;
    return this.consentGiven?.[category] === true;
  }

  /** The anonymous id, created on first use (kept in memory only until the visitor may be stored). */
  private anonymousId(): string {
    const stored = this.mayStore() ? readId(KEYS.anonymousId) : null;
    const id = stored ?? this.memory.anonymousId ?? uuid();
    if (stored === null) this.setId('anonymousId', KEYS.anonymousId, id);
    return id;
  }

  private userId(): string | null {
    return (this.mayStore() ? readId(KEYS.userId) : null) ?? this.memory.userId;
  }

  private who(): string {
    return this.userId() ?? this.anonymousId();
  }

  private setId(field: 'anonymousId' | 'userId', key: string, value: string | null): void {
    this.memory[field] = value;
    if (this.mayStore()) writeId(key, value, this.options?.cookie);
  }

  private store(key: string, value: unknown): void {
    if (this.mayStore()) local.set(key, value);
  }
}
