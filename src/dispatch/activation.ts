import { adsRefusal } from '../activate/ads/ads-refusal.ts';
import type { RetryPolicy } from '../activate/backoff.ts';
import { buildChannelAdapters, webhookSecrets } from '../activate/build-adapters.ts';
import {
  type ChannelAdapter,
  isAdsChannel,
  isDataChannel,
  type ProviderChannel,
} from '../activate/channel.ts';
import type { ChannelsDef } from '../activate/channels-def.ts';
import {
  type ClickTracker,
  createClickTracker,
  createUnsubscribeLinks,
  type UnsubscribeLinks,
} from '../activate/email/signed-links.ts';
import { contactProjectorOf } from '../activate/hubspot/contact-properties.ts';
import { type NetworkPolicy, STRICT_NETWORK_POLICY } from '../activate/outbound/network-policy.ts';
import { sendOutcomeEvent } from '../activate/sends-from-decisions.ts';
import type { Engine } from '../engine/engine.ts';
import { LimitedLog } from '../limited-log.ts';
import type { Logger } from '../logger.ts';
import type { ProfileState } from '../profile/profile.ts';
import { AudienceReconciler } from './audience-reconciler.ts';
import { Dispatcher } from './dispatcher.ts';

/** A workspace's channels as built from its definition version: adapters, rates and callback secrets. */
interface WorkspaceChannels {
  version: number;
  adapters: Map<ProviderChannel, ChannelAdapter>;
  ratePerSecond: Map<ProviderChannel, number>;
  /** Closes pooled provider connections (SMTP). */
  close: () => void;
  secrets: ReturnType<typeof webhookSecrets>;
  links?: { unsubscribe: UnsubscribeLinks; clicks: ClickTracker };
}

/**
 * The activate stage at run time: channel adapters built from each workspace's `channels`
 * (rebuilt when its definition changes; secrets read from the environment), the dispatcher that
 * drains the outbox, woken whenever decisions queue sends, and the feedback of each attempt —
 * `Message Sent` or `Message Failed` recorded on the person's profile, where the contact policy
 * counts it — and the scheduled reconciliation of audience destinations with their segments.
 */
export class Activation {
  readonly dispatcher: Dispatcher;
  /** Repairs the drift of audience destinations, on its schedule and on demand. */
  readonly audiences: AudienceReconciler;
  private readonly engine: Engine;
  private readonly env: NodeJS.ProcessEnv;
  private readonly logger: Logger;
  private readonly limitedLog: LimitedLog;
  private readonly built = new Map<string, WorkspaceChannels>();
  private readonly publicUrl: string | undefined;
  private readonly network: NetworkPolicy;

  constructor(input: {
    engine: Engine;
    logger: Logger;
    env: NodeJS.ProcessEnv;
    pollMs?: number;
    /** How sends are retried (default `DEFAULT_RETRY`). */
    retry?: RetryPolicy;
    /**
     * Tailor's URL as providers reach it: Twilio's status callbacks are asked for under it,
     * each naming its send, so SMS sends are confirmed by callback. Without it SMS has none.
     */
    publicUrl?: string;
    /** How long a send in doubt after a restart waits for its provider's confirmation (default `DEFAULT_RECONCILE_MS`). */
    reconcileMs?: number;
    /** Which provider hosts sends may reach (default: https: to public addresses only). */
    network?: NetworkPolicy;
    /** How often the audience reconciliation schedule is looked at (ms; default a minute). */
    reconcileCheckMs?: number;
  }) {
    this.engine = input.engine;
    this.env = input.env;
    this.logger = input.logger;
    this.limitedLog = new LimitedLog({ logger: input.logger, clock: input.engine.clock });
    this.publicUrl = input.publicUrl?.replace(/\/+$/, '');
    this.network = input.network ?? STRICT_NETWORK_POLICY;
    const { engine } = input;
    this.dispatcher = new Dispatcher({
      outbox: engine.outbox,
      clock: engine.clock,
      logger: input.logger,
      adapters: (workspaceId, channel) => this.channels(workspaceId)?.adapters.get(channel),
      ratePerSecond: (workspaceId, channel) => this.channels(workspaceId)?.ratePerSecond.get(channel),
      ...(input.pollMs === undefined ? {} : { pollMs: input.pollMs }),
      ...(input.retry === undefined ? {} : { retry: input.retry }),
      ...(input.reconcileMs === undefined ? {} : { reconcileMs: input.reconcileMs }),
      workspaceIds: () => engine.workspaceIds(),
      stillAllowed: async (send) => {
        const profile = await engine.reads.peekProfile(send.workspaceId, [send.profileId]);
        if (profile === undefined) return 'the person was erased';
        if (send.channel === 'hubspot') return null;
        return isAdsChannel(send.channel) ? adsRefusal(profile, send) : sendRefusal(profile, send.channel);
      },
      currentContent: async (send) => {
        if (send.channel !== 'hubspot') return undefined;
        const workspace = engine.workspace(send.workspaceId);
        const contacts = workspace === undefined ? undefined : contactProjectorOf(workspace);
        const profile = await engine.reads.peekProfile(send.workspaceId, [send.profileId]);
        const values = profile === undefined ? undefined : contacts?.(profile, engine.clock());
        return values === undefined ? undefined : { email: values.email, properties: values.properties };
      },
      onAttempt: (send, outcome) => {
        // Ads and CRM channels carry data about a person, not a message: no Message Sent on the
        // timeline, no contact counted. Their counts are the outbox's (GET /v1/audiences).
        if (outcome.kind === 'retry' || isDataChannel(send.channel)) return;
        const event = sendOutcomeEvent({ send, outcome, now: engine.clock() });
        engine.record(send.workspaceId, [event]);
      },
    });
    engine.onSendsQueued(() => this.dispatcher.wake());
    this.audiences = new AudienceReconciler({
      engine,
      logger: input.logger,
      onQueued: () => this.dispatcher.wake(),
      ...(input.reconcileCheckMs === undefined ? {} : { checkMs: input.reconcileCheckMs }),
    });
  }

  /**
   * Starts draining the outbox, and the schedule of audience reconciliations. Sends a stop left
   * in flight are retried: at once, or once the reconcile window has passed on a channel that
   * confirms sends by callback.
   */
  async start(): Promise<void> {
    await this.dispatcher.start();
    this.audiences.start();
  }

  /** Stops the dispatcher once the attempts in flight are done, and closes provider connections. */
  async stop(): Promise<void> {
    await this.audiences.stop();
    await this.dispatcher.stop();
    for (const built of this.built.values()) built.close();
  }

  /** The adapter of a workspace's channel, when the workspace configures it (and its secrets are set). */
  adapter(workspaceId: string, channel: ProviderChannel): ChannelAdapter | undefined {
    return this.channels(workspaceId)?.adapters.get(channel);
  }

  /** The secrets that authenticate a workspace's provider callbacks; undefined without channels. */
  secrets(workspaceId: string): ReturnType<typeof webhookSecrets> | undefined {
    return this.channels(workspaceId)?.secrets;
  }

  /** The signed-link verifiers of workspaces whose email channel is configured. */
  links(): { workspaceId: string; unsubscribe: UnsubscribeLinks; clicks: ClickTracker }[] {
    const found: { workspaceId: string; unsubscribe: UnsubscribeLinks; clicks: ClickTracker }[] = [];
    for (const workspaceId of this.engine.workspaceIds()) {
      const links = this.channels(workspaceId)?.links;
      if (links !== undefined) found.push({ workspaceId, ...links });
    }
    return found;
  }

  private channels(workspaceId: string): WorkspaceChannels | undefined {
    const workspace = this.engine.workspace(workspaceId);
    const defined = workspace?.definition.channels;
    if (workspace === undefined || defined === undefined) return undefined;
    const def = this.withStatusCallback(workspaceId, defined);
    const cached = this.built.get(workspaceId);
    if (cached !== undefined && cached.version === workspace.version) return cached;
    try {
      const { adapters, ratePerSecond, close } = buildChannelAdapters(def, {
        env: this.env,
        network: this.network,
      });
      cached?.close();
      const secrets = webhookSecrets(def, this.env);
      const email = def.email;
      const links =
        email === undefined || secrets.linkSecret === undefined
          ? undefined
          : {
              unsubscribe: createUnsubscribeLinks({
                secret: secrets.linkSecret,
                baseUrl: email.linkBaseUrl,
                mailbox: mailboxOf(email.from),
              }),
              clicks: createClickTracker({ secret: secrets.linkSecret, baseUrl: email.linkBaseUrl }),
            };
      const built: WorkspaceChannels = {
        version: workspace.version,
        adapters,
        ratePerSecond,
        close,
        secrets,
        ...(links === undefined ? {} : { links }),
      };
      this.built.set(workspaceId, built);
      return built;
    } catch (error) {
      // Every link click and provider callback for this workspace asks again: limit the lines.
      this.limitedLog.error(
        'channels-setup',
        { err: error, workspace: workspaceId },
        'channels could not be set up',
      );
      return undefined;
    }
  }

  /** The channels with Twilio's status callbacks pointed at this workspace's route, when Tailor knows its public URL. */
  private withStatusCallback(workspaceId: string, def: ChannelsDef): ChannelsDef {
    if (this.publicUrl === undefined) return def;
    const statusCallbackUrl = `${this.publicUrl}/v1/webhooks/${encodeURIComponent(workspaceId)}/twilio/status`;
    const withUrl = { ...def };
    if (def.sms !== undefined && def.sms.statusCallbackUrl === undefined)
      withUrl.sms = { ...def.sms, statusCallbackUrl };
    if (def.rcs !== undefined && def.rcs.statusCallbackUrl === undefined)
      withUrl.rcs = { ...def.rcs, statusCallbackUrl };
    return withUrl;
  }
}

/** The address in a `From` like `Tailor Demo <hello@example.com>`. */
function mailboxOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}

/**
 * Why a send decided earlier may no longer go out: consent for its channel (or its marketing
 * purpose) withdrawn, or the channel marked unreachable since. Null when it may.
 */
export function sendRefusal(profile: ProfileState, channel: string): string | null {
  for (const key of [channel, `${channel}.marketing`])
    if (profile.consent[key]?.granted === false) return `consent: ${key} was withdrawn before sending`;
  if (profile.unreachable?.[channel] !== undefined)
    return `unreachable: ${channel} failed for good before sending`;
  return null;
}
