import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRolloutBody, CreateVersionBody } from '@flotilla/protocol';
import { configPath, readConfig, writeConfig } from '../config-file.js';
import { strategyOf } from './rollouts.js';
import { versionBody } from './versions.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('strategyOf', () => {
  it('sends only the flags given, in the contract’s shape', () => {
    const strategy = strategyOf({ waves: '1,25%,100%', maxParallel: 10, soak: '5m', healthTimeout: '2m', failurePolicy: 'rollback', ignoreMaintenanceWindows: true });
    expect(strategy).toEqual({ waves: [{ count: 1 }, { percent: 25 }, { percent: 100 }], maxParallel: 10, soakSeconds: 300, healthTimeoutSeconds: 120, failurePolicy: 'rollback', respectMaintenanceWindows: false });
    expect(CreateRolloutBody.safeParse({ releaseId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', targets: { all: true }, strategy }).success).toBe(true);
    expect(strategyOf({})).toEqual({});
  });
});

describe('versionBody', () => {
  it('reads a compose file (and env file) into the contract’s body', async () => {
    const compose = path.join(dir, 'docker-compose.yml');
    await writeFile(compose, 'services:\n  web:\n    image: nginx\n');
    await writeFile(path.join(dir, '.env'), 'PORT=80\n');
    const body = await versionBody({ version: '1.2.0', compose, envFile: path.join(dir, '.env') });
    expect(body).toEqual({ version: '1.2.0', compose: { file: 'services:\n  web:\n    image: nginx\n', env: 'PORT=80\n' } });
    expect(CreateVersionBody.safeParse(body).success).toBe(true);
  });
  it('builds a helm body from the chart flags', async () => {
    const values = path.join(dir, 'values.yaml');
    await writeFile(values, 'replicas: 2\n');
    const body = await versionBody({ version: '2.0.0', chart: 'web', chartVersion: '2.0.0', repo: 'https://charts.example.com', values });
    expect(body).toEqual({ version: '2.0.0', helm: { chart: 'web', chartVersion: '2.0.0', repo: 'https://charts.example.com', values: 'replicas: 2\n' } });
    expect(CreateVersionBody.safeParse(body).success).toBe(true);
  });
  it('refuses missing or conflicting sources, and names an unreadable file', async () => {
    await expect(versionBody({ version: '1' })).rejects.toThrow('Give --compose FILE');
    await expect(versionBody({ version: '1', compose: 'a', chart: 'b' })).rejects.toThrow('either --compose or --chart');
    await expect(versionBody({ version: '1', chart: 'b' })).rejects.toThrow('--chart needs --chart-version');
    await expect(versionBody({ version: '1', compose: path.join(dir, 'missing.yml') })).rejects.toThrow(`--compose: cannot read ${path.join(dir, 'missing.yml')} (ENOENT)`);
  });
});

describe('config file', () => {
  it('lives where FLOTILLA_CONFIG or XDG_CONFIG_HOME says, else under ~/.config', () => {
    expect(configPath({ FLOTILLA_CONFIG: '/x/c.json' })).toBe('/x/c.json');
    expect(configPath({ XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/flotilla/config.json');
    expect(configPath({ HOME: '/home/me' })).toBe('/home/me/.config/flotilla/config.json');
  });
  it('is written 0600 (it holds a token), also over a wider existing file, and read back', async () => {
    const file = path.join(dir, 'cfg', 'config.json');
    await writeFile(path.join(dir, 'wide.json'), '{}', { mode: 0o644 });
    await writeConfig(file, { url: 'https://hub.example.com', token: 'flt_secret' });
    await writeConfig(path.join(dir, 'wide.json'), { url: 'https://hub.example.com', token: 'flt_secret' });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'cfg'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'wide.json'))).mode & 0o777).toBe(0o600);
    expect(await readConfig(file)).toEqual({ url: 'https://hub.example.com', token: 'flt_secret' });
    expect(await readConfig(path.join(dir, 'none.json'))).toBeUndefined();
    await writeFile(path.join(dir, 'bad.json'), '{"url": 1}');
    await expect(readConfig(path.join(dir, 'bad.json'))).rejects.toThrow('is not a flotilla config');
  });
});
