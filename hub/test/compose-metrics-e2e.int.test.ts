import { describe, expect, it } from 'vitest';
import type { MetricsResponse } from '@flotilla/protocol';
import { testImage } from '../../agent-compose/test/images.js';
import { useDockerE2e } from './docker-e2e.js';
import { waitFor } from './helpers.js';

/**
 * Metrics end to end: the real flotilla-agent-compose on the Docker engine samples host and
 * container usage every second (FLOTILLA_METRICS_INTERVAL), the hub stores it, the API returns it.
 */
const e2e = useDockerE2e({ images: ['v1'] });
let installationId: string;

// One service spinning a core, one idle.
const BUSY_COMPOSE = `services:\n  spin:\n    image: ${testImage('v1')}\n    network_mode: host\n    command: ["/bin/sh", "-c", "while true; do :; done"]\n  idle:\n    image: ${testImage('v1')}\n    network_mode: host\n    command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`;

describe('agent-compose metrics end to end', { timeout: 180_000 }, () => {
  it('a deployed busy container shows up with its CPU and memory, beside the host', async () => {
    const { api } = e2e;
    const app = await api.post<{ id: string }>('/applications', { name: 'load', kind: 'compose' });
    const version = await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: BUSY_COMPOSE } });
    expect(version.status).toBe(201);
    const customer = await api.post<{ id: string }>('/customers', { name: 'Globex' });
    installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'docker-host', environment: 'production', agentKind: 'compose' })).body.id;
    await e2e.startAgent(installationId, { FLOTILLA_LOG_LEVEL: 'debug', FLOTILLA_METRICS_INTERVAL: '1' });
    expect((await api.post(`/installations/${installationId}/deploy`, { versionId: version.body.id })).status).toBe(202);

    const metrics = await waitFor(async () => {
      const m = (await api.get<MetricsResponse>(`/installations/${installationId}/metrics?window=1h`)).body;
      const points = m.components.find((c) => c.name === 'load')?.points ?? [];
      return points.some((p) => p.cpuPercent > 20) ? m : undefined;
    }, 90_000, 'a sample with the busy container');
    expect(metrics.unavailable).toBeNull();
    const last = metrics.components.find((c) => c.name === 'load')?.points.at(-1);
    expect(last?.memoryBytes).toBeGreaterThan(0);
    expect(last?.restarts).toBe(0);
    const host = metrics.host.at(-1);
    expect(host?.memoryTotalBytes).toBeGreaterThan(0);
    expect(host?.diskTotalBytes).toBeGreaterThan(host?.diskUsedBytes ?? Infinity);
    expect(host?.cpuPercent).toBeGreaterThan(0);
  });
});
