import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, InstallationStatus, MetricsResponse } from '@flotilla/protocol';
import { assertDockerAvailable, ensureTestImages, removeProjects, testImage } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';

/**
 * Metrics end to end: the real flotilla-agent-compose on the Docker engine samples host and
 * container usage every second (FLOTILLA_METRICS_INTERVAL), the hub stores it, the API returns it.
 */
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let stateDir: string;
let agent: ChildProcess | undefined;
let agentLog = '';
let installationId: string;
let projectPrefix: string;

// One service spinning a core, one idle.
const BUSY_COMPOSE = `services:\n  spin:\n    image: ${testImage('v1')}\n    network_mode: host\n    command: ["/bin/sh", "-c", "while true; do :; done"]\n  idle:\n    image: ${testImage('v1')}\n    network_mode: host\n    command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`;

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1']);
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  stateDir = await mkdtemp(path.join(tmpdir(), 'flotilla-metrics-agent-'));
}, 120_000);

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent?.once('exit', r));
    agent.kill('SIGKILL');
    await exited;
  }
  if (projectPrefix) await removeProjects(projectPrefix);
  await hub?.close();
  await tdb?.drop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail') process.stderr.write(`--- agent log (last 6 kB) ---\n${agentLog.slice(-6000)}\n`);
});

describe('agent-compose metrics end to end', { timeout: 180_000 }, () => {
  it('a deployed busy container shows up with its CPU and memory, beside the host', async () => {
    const app = await api.post<{ id: string }>('/applications', { name: 'load', kind: 'compose' });
    const version = await api.post<{ id: string }>(`/applications/${app.body.id}/versions`, { version: '1.0.0', compose: { file: BUSY_COMPOSE } });
    expect(version.status).toBe(201);
    const customer = await api.post<{ id: string }>('/customers', { name: 'Globex' });
    installationId = (await api.post<{ id: string }>('/installations', { customerId: customer.body.id, name: 'docker-host', environment: 'production', agentKind: 'compose' })).body.id;
    projectPrefix = `flt-${installationId.slice(0, 8)}-`;
    const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
    agent = startAgentProcess(hub.url, creds, stateDir, (text) => (agentLog += text), { FLOTILLA_LOG_LEVEL: 'debug', FLOTILLA_METRICS_INTERVAL: '1' });
    await waitFor(async () => ((await api.get<InstallationStatus>(`/installations/${installationId}/status`)).body.online ? true : undefined), 60_000, 'agent online');
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
