import { randomBytes } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import type { NetworkPolicy } from '../activate/outbound/network-policy.ts';
import type { Activation } from '../dispatch/activation.ts';
import type { Engine } from '../engine/engine.ts';
import { TailorError } from '../errors.ts';
import { LimitedLog } from '../limited-log.ts';
import type { TailorMetrics } from '../metrics/tailor-metrics.ts';
import { adminWorkspace } from './admin-auth.ts';
import { Admission, type AdmissionLimits, DEFAULT_ADMISSION, gateClientRequests } from './admission.ts';
import { replyWithError } from './error-reply.ts';
import { exposureProofs } from './exposure-proof.ts';
import { guardJsonBody } from './guard-json-body.ts';
import { parseJsonWhateverType } from './json-body-parser.ts';
import { KeyRing } from './key-ring.ts';
import { LiveEvents } from './live-events.ts';
import { metricsRoute } from './metrics-route.ts';
import { CLIENT_WORK_ROUTES, isPublicRoute } from './public-routes.ts';
import { observeRequests } from './request-log.ts';
import { audienceReconcileRoutes, audienceRoutes } from './routes/audience-routes.ts';
import { browserSettingsRoutes } from './routes/browser-settings-routes.ts';
import { consoleRoutes } from './routes/console-routes.ts';
import { decideRoutes } from './routes/decide-routes.ts';
import { demoRoutes } from './routes/demo-routes.ts';
import { emailLinkRoutes } from './routes/email-link-routes.ts';
import { experimentRoutes } from './routes/experiment-routes.ts';
import { exposureReportRoutes } from './routes/exposure-report-routes.ts';
import { exposureRoutes } from './routes/exposure-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { journeyRoutes } from './routes/journey-routes.ts';
import { keyRoutes } from './routes/key-routes.ts';
import { liveRoutes } from './routes/live-routes.ts';
import { overviewRoutes } from './routes/overview-routes.ts';
import { profileRoutes } from './routes/profile-routes.ts';
import { providerWebhookRoutes } from './routes/provider-webhook-routes.ts';
import { sdkRoutes } from './routes/sdk-routes.ts';
import { segmentRoutes } from './routes/segment-routes.ts';
import { sendRoutes } from './routes/send-routes.ts';
import { trackingRoutes } from './routes/tracking-routes.ts';
import { workspaceCreateRoutes } from './routes/workspace-create-routes.ts';
import { workspaceRoutes } from './routes/workspace-routes.ts';
import { workspaceVersionRoutes } from './routes/workspace-version-routes.ts';

/** How the HTTP server is built. */
export interface ServerOptions {
  engine: Engine;
  /** A pino logger for request errors and server events (default: none). */
  logger?: FastifyBaseLogger;
  /** Browser origins allowed to call the tracking API (default: any). */
  corsOrigin?: string | string[] | boolean;
  /** The activate stage: provider callbacks, email links and the outbox API are served when given. */
  activation?: Activation;
  /** Tailor's URL as providers call it, when a proxy stands in front (Twilio signs the full URL). */
  publicUrl?: string;
  /** Where `${NAME}` secret references of workspaces are read on requests (identity verification); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Which provider hosts a workspace applied through the admin API may name (default: https: to public addresses only). */
  network?: NetworkPolicy;
  /** The key that may create workspaces (`POST /v1/workspaces`); without it, none can be created over HTTP. */
  operatorKey?: string;
  /** Limits on client work taken in at once (default `DEFAULT_ADMISSION`); past them, 429. */
  admission?: AdmissionLimits;
  /** Prometheus metrics, counted by every request and served at `/metrics` for the operator key. */
  metrics?: TailorMetrics;
  /**
   * The key that signs the exposure proofs of `exposure: 'on_view'` decisions; every node of a
   * deployment needs the same one (default: random for this process, so proofs die with it).
   */
  exposureKey?: string | Buffer;
  /** The write key `/demo` uses (the workspace `tailor start` loaded); without it `/demo` asks for one. */
  demoWriteKey?: string;
}

/**
 * Builds Tailor's HTTP server: the Segment-compatible tracking API (write keys), the admin API
 * (Bearer admin keys), the OpenAPI description at `/openapi.json`, and `/health`.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { engine } = options;
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit: 512_000,
    // Signed email-link tokens (`/v1/c/{token}`, `/v1/u/{token}`) run to a few hundred characters.
    routerOptions: { maxParamLength: 2_048 },
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  const keys = new KeyRing(engine.keys);
  const live = new LiveEvents(engine.clock);
  const admission = new Admission({
    limits: options.admission ?? DEFAULT_ADMISSION,
    queueWaitMs: () => engine.queueWaitMs(),
  });
  options.metrics?.watch({ inflightBytes: () => admission.inflightBytes });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tailor API',
        version: '0.1.0',
        description:
          'Segment-compatible event ingestion (write key as HTTP Basic username), and the admin API ' +
          '(`Authorization: Bearer <admin key>`). Errors answer `{ code, message, details }`.',
      },
      components: {
        securitySchemes: {
          writeKey: {
            type: 'http',
            scheme: 'basic',
            description: 'Write key as the username, empty password',
          },
          adminKey: { type: 'http', scheme: 'bearer', description: 'Secret admin key' },
          operatorKey: {
            type: 'http',
            scheme: 'bearer',
            description: "The server's operator key (TAILOR_OPERATOR_KEY): creates workspaces, nothing else",
          },
        },
      },
    },
  });
  await app.register(cors, {
    origin: options.corsOrigin ?? true,
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    maxAge: 86_400,
  });
  const limitedLog = new LimitedLog({ logger: app.log, clock: engine.clock });
  app.setErrorHandler<FastifyError>((error, request, reply) =>
    replyWithError(error, request, reply, limitedLog),
  );
  parseJsonWhateverType(app);
  observeRequests(app, options.metrics);
  app.addHook('preValidation', guardJsonBody);
  // Admin routes authenticate before their body is validated or read, so a caller without an
  // admin key learns nothing about them (not even the shape of a valid body) and costs no parsing.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS' || isPublicRoute(request.routeOptions.url)) return;
    await adminWorkspace(request, keys, engine.clock());
  });
  app.setNotFoundHandler((request, reply) => {
    replyWithError(new TailorError('NOT_FOUND', `No route ${request.method} ${request.url}`), request, reply);
  });

  gateClientRequests(app, { admission, routes: CLIENT_WORK_ROUTES });
  await app.register(trackingRoutes, {
    engine,
    keys,
    live,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  await app.register(browserSettingsRoutes, { engine, keys, publicUrl: options.publicUrl });
  await app.register(profileRoutes, { engine, keys });
  await app.register(workspaceRoutes, {
    engine,
    keys,
    ...(options.network === undefined ? {} : { network: options.network }),
  });
  await app.register(workspaceVersionRoutes, {
    engine,
    keys,
    ...(options.network === undefined ? {} : { network: options.network }),
  });
  await app.register(workspaceCreateRoutes, {
    engine,
    operatorKey: options.operatorKey,
    ...(options.network === undefined ? {} : { network: options.network }),
  });
  await app.register(segmentRoutes, { engine, keys });
  const proofs = exposureProofs(options.exposureKey ?? randomBytes(32));
  await app.register(decideRoutes, {
    engine,
    keys,
    proofs,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  await app.register(exposureRoutes, { engine, keys });
  await app.register(exposureReportRoutes, { engine, keys, proofs });
  await app.register(sdkRoutes);
  await app.register(demoRoutes, { writeKey: options.demoWriteKey });
  await app.register(experimentRoutes, { engine, keys });
  await app.register(journeyRoutes, { engine, keys });
  await app.register(keyRoutes, { engine, keys });
  await app.register(overviewRoutes, { engine, keys, live });
  await app.register(liveRoutes, { engine, keys, live });
  await app.register(consoleRoutes, {});
  const { activation } = options;
  if (activation !== undefined) {
    await app.register(providerWebhookRoutes, {
      engine,
      secrets: (workspaceId) => activation.secrets(workspaceId),
      publicUrl: options.publicUrl,
      received: (workspaceId, confirmations) =>
        activation.dispatcher.confirmationsReceived(workspaceId, confirmations),
      live,
    });
    await app.register(emailLinkRoutes, { engine, activation });
    await app.register(sendRoutes, { engine, keys, wake: () => activation.dispatcher.wake() });
    await app.register(audienceRoutes, { engine, activation, keys });
    await app.register(audienceReconcileRoutes, { engine, activation, keys });
  }

  await app.register(healthRoutes, { engine });
  if (options.metrics !== undefined)
    await app.register(metricsRoute, { metrics: options.metrics, operatorKey: options.operatorKey });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
