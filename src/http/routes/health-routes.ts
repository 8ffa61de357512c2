import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/engine.ts';

/** How long `/ready` waits for the store to answer before calling it unreachable (ms). */
const STORE_CHECK_MS = 2_000;

/**
 * `GET /ready`: whether this Tailor should be sent traffic — 200 `{"status":"ready"}` when the
 * store answers, the writer is not recovering from a storage fault and no workspace's profiles
 * are being rebuilt; else 503 `{"status":"not ready","reasons":[…]}` with `Retry-After`. For a
 * load balancer's or Kubernetes' readiness probe; `/health` says the process is up.
 */
export async function healthRoutes(app: FastifyInstance, options: { engine: Engine }): Promise<void> {
  const { engine } = options;
  // Liveness: the process is up and answering, even while its writer recovers (`/ready` is 503 then).
  app.get('/health', { schema: { hide: true } }, async () => ({
    status: 'ok',
    writer: engine.recovering ? 'recovering' : 'running',
    pending_events: engine.pendingEvents,
  }));
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const reasons: string[] = [];
    if (engine.recovering) reasons.push('the writer is recovering from a storage fault');
    // Public, so it names no workspace: which ones a server holds is not anyone's business.
    const rebuilding = engine.workspaceIds().filter((id) => engine.rebuildProgress(id) !== undefined);
    if (rebuilding.length > 0) reasons.push(`rebuilding the profiles of ${rebuilding.length} workspace(s)`);
    if (!(await storeAnswers(engine))) reasons.push('the store does not answer');
    if (reasons.length === 0) return { status: 'ready' };
    return reply.status(503).header('retry-after', '1').send({ status: 'not ready', reasons });
  });
}

/** Whether the store answers a small read within `STORE_CHECK_MS`. */
async function storeAnswers(engine: Engine): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STORE_CHECK_MS);
  });
  try {
    return await Promise.race([engine.storedView.viewCheckpoint().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
