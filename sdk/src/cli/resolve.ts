import type { Application, ApplicationVersion, Installation, Release, Track } from '@flotilla/protocol';
import type { FlotillaClient } from '../client.js';
import type { PagedRouteKey, ItemOf, RequestArgs } from '../types.js';
import { parseReleaseRef, type NameAtVersion } from './parse.js';
import { pickOne } from './pick.js';

/** Names on the command line → the hub's resources (one list call each; lists are paged). */

async function all<K extends PagedRouteKey>(client: FlotillaClient, key: K, ...args: RequestArgs<K>): Promise<ItemOf<K>[]> {
  const items: ItemOf<K>[] = [];
  for await (const item of client.paginate(key, ...args)) items.push(item);
  return items;
}

function listApplications(client: FlotillaClient): Promise<Application[]> {
  return all(client, 'GET /applications', { query: { limit: 500 } });
}

function pickApplication(apps: readonly Application[], ref: string): Application {
  return pickOne('application', ref, apps.map((a) => ({ item: a, id: a.id, names: [a.name], label: a.name })));
}

export async function resolveApplication(client: FlotillaClient, ref: string): Promise<Application> {
  return pickApplication(await listApplications(client), ref);
}

function pickVersion(app: Application, versions: readonly ApplicationVersion[], ref: string): ApplicationVersion {
  return pickOne(`version of ${app.name}`, ref, versions.map((v) => ({ item: v, id: v.id, names: [v.version], label: v.version })));
}

export async function resolveVersion(client: FlotillaClient, app: Application, version: string): Promise<ApplicationVersion> {
  return pickVersion(app, await all(client, 'GET /applications/:id/versions', { params: { id: app.id }, query: { limit: 500 } }), version);
}

/** `shop@1.2.0` → the application and its version. */
export async function resolveAppVersion(client: FlotillaClient, ref: NameAtVersion): Promise<{ app: Application; version: ApplicationVersion }> {
  const app = await resolveApplication(client, ref.name);
  return { app, version: await resolveVersion(client, app, ref.version) };
}

/** `--stage a@1,b@2 --stage c@3` → the release's stages of pinned application versions. */
export async function resolveStages(client: FlotillaClient, stages: readonly NameAtVersion[][]): Promise<{ applicationId: string; versionId: string }[][]> {
  const apps = await listApplications(client);
  const versionsOf = new Map<string, Promise<ApplicationVersion[]>>();
  const resolveOne = async (ref: NameAtVersion) => {
    const app = pickApplication(apps, ref.name);
    if (!versionsOf.has(app.id)) versionsOf.set(app.id, all(client, 'GET /applications/:id/versions', { params: { id: app.id }, query: { limit: 500 } }));
    const versions = (await versionsOf.get(app.id)) ?? [];
    return { applicationId: app.id, versionId: pickVersion(app, versions, ref.version).id };
  };
  const out: { applicationId: string; versionId: string }[][] = [];
  for (const stage of stages) out.push(await Promise.all(stage.map(resolveOne)));
  return out;
}

export async function resolveTrack(client: FlotillaClient, ref: string): Promise<Track> {
  const tracks = await all(client, 'GET /tracks');
  return pickOne('track', ref, tracks.map((t) => ({ item: t, id: t.id, names: [t.name], label: t.name })));
}

/** A release by id, or `TRACK@VERSION`. */
export async function resolveRelease(client: FlotillaClient, text: string): Promise<Release> {
  const ref = parseReleaseRef(text);
  if ('id' in ref) return client.request('GET /releases/:id', { params: { id: ref.id } });
  const track = await resolveTrack(client, ref.track);
  const releases = await all(client, 'GET /tracks/:id/releases', { params: { id: track.id } });
  return pickOne(`release of ${track.name}`, ref.version, releases.map((r) => ({ item: r, id: r.id, names: [r.version], label: r.version })));
}

export async function listInstallations(client: FlotillaClient): Promise<Installation[]> {
  return all(client, 'GET /installations', { query: { limit: 500 } });
}

/** An installation by id, name, or `CUSTOMER/NAME` (names repeat across customers). */
export function pickInstallation(installations: readonly Installation[], ref: string): Installation {
  return pickOne(
    'installation',
    ref,
    installations.map((i) => ({ item: i, id: i.id, names: [i.name, `${i.customerName}/${i.name}`], label: `${i.customerName}/${i.name}` })),
    'name it CUSTOMER/NAME or by its id',
  );
}

export async function resolveInstallation(client: FlotillaClient, ref: string): Promise<Installation> {
  return pickInstallation(await listInstallations(client), ref);
}
