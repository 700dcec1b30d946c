import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application, ApplicationVersion, Installation, Release, Track } from '@flotilla/protocol';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { jsonOf, runFlotilla } from './cli-process.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

/** The built `flotilla` CLI against a real hub, run as a child process the way a pipeline runs it. */
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let account: { email: string; password: string };
let dir: string;
/** A pipeline's environment: the hub and an admin token, no config file. */
let ci: Record<string, string>;

async function token(role: 'viewer' | 'release-manager' | 'admin'): Promise<string> {
  return (await api.post<{ token: string }>('/tokens', { name: `cli ${role}`, role })).body.token;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  account = await api.signup(randomSuffix());
  dir = await mkdtemp(path.join(tmpdir(), 'flotilla-cli-'));
  ci = { FLOTILLA_URL: hub.url, FLOTILLA_TOKEN: await token('admin'), HOME: dir, FLOTILLA_CONFIG: path.join(dir, 'none', 'config.json') };
  await writeFile(path.join(dir, 'docker-compose.yml'), COMPOSE_V1);
  await writeFile(path.join(dir, 'NOTES.md'), '# 1.0.0\nFaster checkout\n');
}, 60_000);

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('flotilla CLI against a real hub', { timeout: 120_000 }, () => {
  it('login signs in, creates a token of the scope asked for, stores it 0600, and later commands use it', async () => {
    const config = path.join(dir, 'home', '.config', 'flotilla', 'config.json');
    const env = { HOME: path.join(dir, 'home'), FLOTILLA_PASSWORD: account.password };
    const login = await runFlotilla(['login', '--url', hub.url, '--email', account.email, '--scope', 'viewer'], env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`signed in as: ${account.email}`);
    expect((await stat(config)).mode & 0o777).toBe(0o600);
    const tokens = (await api.get<{ items: { role: string; name: string }[] }>('/tokens')).body.items;
    expect(tokens).toContainEqual(expect.objectContaining({ role: 'viewer', name: expect.stringContaining('flotilla CLI on') }));

    const whoami = await runFlotilla(['whoami', '--output', 'json'], { HOME: path.join(dir, 'home') });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(jsonOf<{ user: { email: string } }>(whoami).user.email).toBe(account.email);
    // The stored (viewer) token may read but not create: the refusal names the scope needed.
    const refused = await runFlotilla(['apps', 'create', 'nope'], { HOME: path.join(dir, 'home') });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FORBIDDEN');
    expect(refused.stderr).toContain('needs an API token with scope "release-manager" or higher');

    const logout = await runFlotilla(['logout'], { HOME: path.join(dir, 'home') });
    expect(logout.code).toBe(0);
    const after = await runFlotilla(['apps', 'list'], { HOME: path.join(dir, 'home') });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('No hub: set FLOTILLA_URL');
  });

  it('takes an application from a compose file to a locked release by names, and deploys it', async () => {
    for (const name of ['shop', 'web']) expect((await runFlotilla(['apps', 'create', name], ci)).code).toBe(0);
    const apps = jsonOf<Application[]>(await runFlotilla(['apps', 'list', '-o', 'json'], ci));
    expect(apps.map((a) => a.name).sort()).toEqual(['shop', 'web']);

    const created = await runFlotilla(['versions', 'create', '--app', 'shop', '--version', '1.0.0', '--compose', 'docker-compose.yml', '-o', 'json'], { ...ci }, { cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    expect(jsonOf<ApplicationVersion>(created).compose?.file).toBe(COMPOSE_V1);
    expect((await runFlotilla(['versions', 'create', '--app', 'web', '--version', '2.0.0', '--compose', 'docker-compose.yml'], ci, { cwd: dir })).code).toBe(0);
    const track = jsonOf<Track>(await runFlotilla(['tracks', 'create', 'Shop', '--app', 'shop', '--app', 'web', '-o', 'json'], ci));
    expect(track.applicationIds).toHaveLength(2);

    const release = await runFlotilla(['releases', 'create', '--track', 'Shop', '--version', '1.0.0', '--stage', 'shop@1.0.0', '--stage', 'web@2.0.0', '--notes-file', 'NOTES.md', '-o', 'json'], ci, { cwd: dir });
    expect(release.code, release.stderr).toBe(0);
    const draft = jsonOf<Release>(release);
    expect(draft).toMatchObject({ status: 'draft', notes: '# 1.0.0\nFaster checkout\n' });
    expect(draft.stages.map((s) => s.map((c) => c.applicationId))).toEqual([[apps.find((a) => a.name === 'shop')?.id], [apps.find((a) => a.name === 'web')?.id]]);

    const lock = await runFlotilla(['releases', 'lock', 'Shop@1.0.0'], ci);
    expect(lock.code, lock.stderr).toBe(0);
    expect(lock.stdout).toMatch(/status:\s+ready/);
    expect(jsonOf<Release>(await runFlotilla(['releases', 'show', draft.id, '-o', 'json'], ci))).toMatchObject({ status: 'ready', locked: true });
    expect((await runFlotilla(['releases', 'hold', 'Shop@1.0.0'], ci)).stdout).toMatch(/status:\s+hold/);
    expect((await runFlotilla(['releases', 'resume', 'Shop@1.0.0'], ci)).stdout).toMatch(/status:\s+ready/);
    // Required: marked and unmarked by name, shown in the fields.
    expect((await runFlotilla(['releases', 'require', 'Shop@1.0.0'], ci)).stdout).toMatch(/required:\s+true/);
    expect((await runFlotilla(['releases', 'unrequire', 'Shop@1.0.0'], ci)).stdout).toMatch(/required:\s+false/);
    // An illegal transition: the hub's CONFLICT, exit 1.
    const again = await runFlotilla(['releases', 'lock', 'Shop@1.0.0'], ci);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('CONFLICT');

    const customer = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
    await api.post('/entitlements', { customerId: customer, trackId: track.id });
    await api.post('/installations', { customerId: customer, name: 'main', environment: 'production', agentKind: 'compose', trackId: track.id });
    const deployed = await runFlotilla(['deploy', '--installation', 'Acme/main', '--release', 'Shop@1.0.0', '-o', 'json'], ci);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(jsonOf<{ revision: number }>(deployed).revision).toBeGreaterThan(0);
    const installations = jsonOf<Installation[]>(await runFlotilla(['installations', 'list', '-o', 'json'], ci));
    expect(installations.map((i) => `${i.customerName}/${i.name}`)).toEqual(['Acme/main']);
    const status = await runFlotilla(['installations', 'status', 'main'], ci);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/online:\s+no/);
  });

  it('says clearly when a name matches nothing or several things', async () => {
    const missing = await runFlotilla(['releases', 'create', '--track', 'Shop', '--version', '1.1.0', '--stage', 'shopp@1.0.0'], ci);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No application "shopp"; known: shop, web');
    const noVersion = await runFlotilla(['releases', 'create', '--track', 'Shop', '--version', '1.1.0', '--stage', 'shop@9.9.9'], ci);
    expect(noVersion.stderr).toContain('No version of shop "9.9.9"; known: 1.0.0');
    expect((await runFlotilla(['releases', 'lock', 'Nope@1.0.0'], ci)).stderr).toContain('No track "Nope"; known: Shop');

    const globex = (await api.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
    await api.post('/installations', { customerId: globex, name: 'main', environment: 'production', agentKind: 'compose' });
    const ambiguous = await runFlotilla(['deploy', '--installation', 'main', '--release', 'Shop@1.0.0'], ci);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/"main" is ambiguous: 2 installations match \(Acme\/main \(.+\), Globex\/main \(.+\)\); name it CUSTOMER\/NAME or by its id/);
  });

  it('refuses a release-manager command to a viewer token, naming the scope; bad usage exits 64 before calling the hub', async () => {
    const viewer = { ...ci, FLOTILLA_TOKEN: await token('viewer') };
    const refused = await runFlotilla(['rollouts', 'start', '--release', 'Shop@1.0.0'], viewer);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FORBIDDEN');
    expect(refused.stderr).toContain('scope "release-manager" or higher');
    const manager = { ...ci, FLOTILLA_TOKEN: await token('release-manager') };
    const adminOnly = await runFlotilla(['apps', 'list'], manager);
    expect(adminOnly.code).toBe(0);

    const badWaves = await runFlotilla(['rollouts', 'start', '--release', 'Shop@1.0.0', '--waves', '1,abc'], { ...ci, FLOTILLA_URL: 'http://127.0.0.1:9' });
    expect(badWaves).toMatchObject({ code: 64, stdout: '' });
    expect(badWaves.stderr).toContain('--waves: "abc" is neither a count');
    expect((await runFlotilla([], ci)).code).toBe(64);
    expect((await runFlotilla(['releases', 'lock'], ci)).stderr).toContain('Not enough non-option arguments');
  });
});
