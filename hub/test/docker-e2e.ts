import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { AgentCredentials, InstallationStatus } from '@flotilla/protocol';
import { assertDockerAvailable, ensureTestImages, removeProjects } from '../../agent-compose/test/images.js';
import { ApiClient } from './api-client.js';
import { startAgentProcess } from './agent-process.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub, type TestHubOptions } from './helpers.js';

/** What a Docker end-to-end test file gets from `useDockerE2e`: usable from its own `beforeAll` on. */
export interface DockerE2e {
  readonly hub: TestHub;
  /** A signed-up vendor admin. */
  readonly api: ApiClient;
  /**
   * Starts a real agent-compose for the installation (new credentials, `stateDir` of its own) and
   * waits until the hub sees it online. Its compose projects are named `prefix` + component.
   */
  startAgent(installationId: string, env?: Record<string, string>): Promise<{ prefix: string; process: ChildProcess; stateDir: string }>;
  /** Kills every agent started so far and removes their compose projects (e.g. to free fixed ports). */
  retireAgents(): Promise<void>;
  /** Everything the agents printed (the last 6 kB are printed when a test fails). */
  agentLog(): string;
}

export interface DockerE2eOptions {
  /** Test image versions the file uses (built once from busybox, see agent-compose/test/images.ts). */
  images: readonly string[];
  /** More hub settings (a fixed port, a public URL…). */
  hub?: Omit<TestHubOptions, 'databaseUrl'>;
}

/**
 * The fixture the Docker end-to-end tests share: Docker checked (never skipped), the test images, a
 * test database, a hub and a signed-up vendor; real agent-compose processes started on demand; on
 * failure the agents' log; afterwards every agent killed, every compose project removed and every
 * state directory deleted.
 */
export function useDockerE2e(options: DockerE2eOptions): DockerE2e {
  let tdb: TestDatabase | undefined;
  let hub: TestHub | undefined;
  let api: ApiClient | undefined;
  const agents: ChildProcess[] = [];
  const dirs: string[] = [];
  const prefixes: string[] = [];
  let log = '';
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the Docker suite has no ${what} yet: use it from beforeAll or a test`);
    return value;
  };

  beforeAll(async () => {
    await assertDockerAvailable();
    await ensureTestImages(options.images);
    tdb = await createTestDatabase();
    hub = await startTestHub({ ...options.hub, databaseUrl: tdb.url });
    api = new ApiClient(hub.url);
    await api.signup(randomSuffix());
  }, 120_000);

  async function retireAgents(): Promise<void> {
    // Dead before its projects go, so that it cannot bring a container back meanwhile.
    await Promise.all(
      agents.splice(0).map(async (agent) => {
        if (agent.exitCode !== null || agent.signalCode !== null) return;
        const exited = new Promise((resolve) => agent.once('exit', resolve));
        agent.kill('SIGKILL');
        await exited;
      }),
    );
    for (const prefix of prefixes.splice(0)) await removeProjects(prefix).catch(() => undefined);
  }

  afterAll(async () => {
    await retireAgents();
    await hub?.close().catch(() => undefined);
    await tdb?.drop().catch(() => undefined);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') process.stderr.write(`--- agent log (last 6 kB) ---\n${log.slice(-6000)}\n`);
  });

  return {
    get hub() {
      return started(hub, 'hub');
    },
    get api() {
      return started(api, 'API client');
    },
    async startAgent(installationId, env = {}) {
      const client = started(api, 'API client');
      const creds = (await client.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
      const dir = await mkdtemp(path.join(tmpdir(), 'flotilla-e2e-agent-'));
      dirs.push(dir);
      const child = startAgentProcess(started(hub, 'hub').url, creds, dir, (text) => (log += text), env);
      agents.push(child);
      const prefix = `flt-${installationId.slice(0, 8)}-`;
      prefixes.push(prefix);
      await waitFor(async () => ((await client.get<InstallationStatus>(`/installations/${installationId}/status`)).body.online ? true : undefined), 60_000, 'agent online');
      return { prefix, process: child, stateDir: dir };
    },
    retireAgents,
    agentLog: () => log,
  };
}
