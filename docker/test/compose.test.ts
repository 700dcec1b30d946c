import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCKER_DIR, readRepoFile } from './repo.js';

const execFileAsync = promisify(execFile);

interface Service {
  image: string;
  command?: string[];
  restart?: string;
  ports?: unknown[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface ComposeModel {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** `docker-compose config` (v1, the one on this machine): validates the file and prints the resolved model. */
async function composeConfig(envFile: string): Promise<string> {
  const { stdout } = await execFileAsync('docker-compose', ['--env-file', envFile, '-f', path.join(DOCKER_DIR, 'compose.yaml'), 'config'], {
    cwd: DOCKER_DIR,
    timeout: 30_000,
  });
  return stdout;
}

const example = path.join(DOCKER_DIR, '.env.example');
let model: ComposeModel;
let tmp: string;

beforeAll(async () => {
  model = parse(await composeConfig(example)) as ComposeModel;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'flotilla-compose-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('docker/compose.yaml', () => {
  it('has a proxy, two hubs of one image, a one-shot migrator, PostgreSQL and Redis', () => {
    expect(Object.keys(model.services).sort()).toEqual(['hub-1', 'hub-2', 'migrate', 'postgres', 'proxy', 'redis']);
    const { 'hub-1': hub1, 'hub-2': hub2, migrate } = model.services;
    expect(hub1?.image).toBe('flotilla/hub:0.1.0');
    expect(hub2).toEqual(hub1);
    expect(migrate?.image).toBe(hub1?.image);
    expect(migrate?.command).toEqual(['node', 'hub/dist/src/migrate-cli.js']);
    expect(migrate?.restart).toBe('no');
  });

  it('gives every long-running service a healthcheck and a restart policy', () => {
    for (const [name, service] of Object.entries(model.services)) {
      if (name === 'migrate') continue;
      expect(service.healthcheck?.test[0], name).toMatch(/^CMD/);
      expect(service.restart, name).toBe('unless-stopped');
    }
  });

  it('starts the hubs after a successful migration and healthy stores, the proxy after healthy hubs', () => {
    for (const hub of ['hub-1', 'hub-2']) {
      expect(model.services[hub]?.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(model.services.migrate?.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    expect(model.services.proxy?.depends_on).toEqual({ 'hub-1': { condition: 'service_healthy' }, 'hub-2': { condition: 'service_healthy' } });
  });

  it('publishes only the proxy; PostgreSQL and Redis keep their data in volumes', () => {
    const published = Object.entries(model.services).filter(([, s]) => (s.ports ?? []).length > 0).map(([name]) => name);
    expect(published).toEqual(['proxy']);
    expect(Object.keys(model.volumes ?? {})).toEqual(expect.arrayContaining(['postgres-data', 'redis-data']));
  });

  it('runs the hubs in production mode behind the proxy with the secrets from the env file', () => {
    const env = model.services['hub-1']?.environment ?? {};
    expect(env.DATABASE_URL).toBe('postgres://flotilla:change-me-to-a-long-random-hex-string@postgres:5432/flotilla');
    expect(env.REDIS_URL).toBe('redis://:change-me-to-another-long-random-hex-string@redis:6379');
    expect(env.TRUST_PROXY).toBe('true');
    expect(env.PUBLIC_URL).toBe('https://hub.example.com');
    // Every variable handed to the hub is one the hub reads.
    const hubSettings = new Set([...readRepoFile('hub/src/config.ts').matchAll(/^ {2}([A-Z_]+): z\./gm)].map((m) => m[1]));
    for (const name of Object.keys(env)) expect(hubSettings.has(name), name).toBe(true);
  });

  it('keeps no secret in the file itself and documents every variable it reads in .env.example', () => {
    const raw = readRepoFile('docker/compose.yaml');
    const used = new Set([...raw.matchAll(/\$\{(\w+)/g)].map((m) => m[1]));
    const documented = new Set([...readRepoFile('docker/.env.example').matchAll(/^(\w+)=/gm)].map((m) => m[1]));
    const optional = new Set(['CADDY_IMAGE', 'POSTGRES_IMAGE', 'REDIS_IMAGE']);
    for (const name of used) expect(documented.has(name ?? '') || optional.has(name ?? ''), name).toBe(true);
    expect(raw).not.toMatch(/change-me/);
  });

  it('refuses to start without the secrets', async () => {
    const partial = path.join(tmp, 'partial.env');
    await writeFile(partial, 'PUBLIC_URL=https://hub.example.com\nREDIS_PASSWORD=x\n');
    await expect(composeConfig(partial)).rejects.toThrow(/POSTGRES_PASSWORD/);
  });

  it('proxies to exactly the hub services and checks their readiness', () => {
    const caddyfile = readRepoFile('docker/Caddyfile');
    const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)?.[1]?.trim().split(/\s+/);
    expect(upstreams).toEqual(['hub-1:8080', 'hub-2:8080']);
    expect(caddyfile).toMatch(/health_uri \/readyz/);
  });
});
