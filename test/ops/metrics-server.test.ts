import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SpawnedTailor, spawnTailor, stopTailor } from '../support/spawn-tailor.ts';
import { basic, bearer, tempDir, workspaceYaml } from '../support/test-tailor.ts';

const WRITE_KEY = 'wk_metrics_server';
const ADMIN_KEY = 'ak_metrics_server';
const OPERATOR_KEY = 'ok_metrics_server';

let dir: string | undefined;
let tailor: SpawnedTailor | undefined;
afterAll(async () => {
  if (tailor !== undefined) await stopTailor(tailor);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('a started Tailor', () => {
  it('serves its metrics to the operator key, counted by its store, queue and requests', async () => {
    dir = tempDir('tailor-metrics-');
    writeFileSync(join(dir, 'tailor.yaml'), workspaceYaml('shop'));
    tailor = await spawnTailor({
      dataDir: dir,
      env: {
        TAILOR_CONFIG: join(dir, 'tailor.yaml'),
        TAILOR_WRITE_KEY: WRITE_KEY,
        TAILOR_ADMIN_KEY: ADMIN_KEY,
        TAILOR_OPERATOR_KEY: OPERATOR_KEY,
      },
    });
    const batch = Array.from({ length: 25 }, (_, i) => ({
      type: 'track',
      userId: `u${i}`,
      messageId: `metrics-${i}`,
      event: 'Order Completed',
    }));
    const sent = await fetch(`${tailor.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(WRITE_KEY) },
      body: JSON.stringify({ batch }),
    });
    expect(sent.status).toBe(200);

    for (const authorization of [basic(WRITE_KEY), bearer(WRITE_KEY), bearer(ADMIN_KEY)]) {
      const refused = await fetch(`${tailor.url}/metrics`, { headers: { authorization } });
      expect(refused.status).toBe(401);
    }
    const reply = await fetch(`${tailor.url}/metrics`, { headers: { authorization: bearer(OPERATOR_KEY) } });
    expect(reply.status).toBe(200);
    const text = await reply.text();
    const value = (series: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(`${series} `))
          ?.slice(series.length + 1),
      );
    expect(value('tailor_events_in_total{outcome="accepted"}')).toBe(25);
    expect(value('tailor_store_append_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('tailor_store_commit_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('tailor_http_errors_total{code="UNKNOWN_OPERATOR_KEY"}')).toBe(2);
    expect(value('tailor_queue_events')).toBe(0);
    expect(value('tailor_writer_recovering')).toBe(0);
    expect((await fetch(`${tailor.url}/ready`)).status).toBe(200);
  }, 60_000);
});
