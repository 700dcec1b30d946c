import { describe, expect, it } from 'vitest';
import type { ApplicationVersion } from '@flotilla/protocol';
import {
  applicationPatch,
  buildApplicationBody,
  buildCustomerBody,
  buildInstallationBody,
  buildVersionBody,
  customerDeletion,
  emptyVersionForm,
  installationPatch,
  versionActions,
  versionFormFrom,
  versionText,
} from './catalog-forms';

function version(patch: Partial<ApplicationVersion>): ApplicationVersion {
  return { id: 'v1', applicationId: 'a1', version: '1.0.0', compose: null, helm: null, notes: null, createdAt: '2026-01-01T00:00:00.000Z', archivedAt: null, inUse: false, ...patch };
}

describe('application forms', () => {
  it('builds the create body, leaving a blank description out', () => {
    expect(buildApplicationBody({ name: ' api ', kind: 'helm', description: ' ' })).toEqual({ ok: true, value: { name: 'api', kind: 'helm' } });
    expect(buildApplicationBody({ name: 'api', kind: 'compose', description: 'The API' })).toEqual({ ok: true, value: { name: 'api', kind: 'compose', description: 'The API' } });
    expect(buildApplicationBody({ name: ' ', kind: 'compose', description: '' })).toEqual({ ok: false, issues: [{ path: 'name', message: 'required' }] });
  });

  it('patches only what changed; a blank description clears it', () => {
    const current = { name: 'api', description: 'old' };
    expect(applicationPatch(current, { name: 'api', description: 'old' })).toEqual({ ok: true, value: null });
    expect(applicationPatch(current, { name: 'api2', description: '' })).toEqual({ ok: true, value: { name: 'api2', description: null } });
    expect(applicationPatch(current, { name: '', description: 'old' })).toMatchObject({ ok: false });
  });
});

describe('version forms', () => {
  it('builds a compose version, env only when given', () => {
    const form = { ...emptyVersionForm(), version: ' 1.0.0 ', composeFile: 'services: {}\n' };
    expect(buildVersionBody('compose', form)).toEqual({ ok: true, value: { version: '1.0.0', compose: { file: 'services: {}\n' } } });
    expect(buildVersionBody('compose', { ...form, env: 'A=1\n' })).toEqual({ ok: true, value: { version: '1.0.0', compose: { file: 'services: {}\n', env: 'A=1\n' } } });
    expect(buildVersionBody('compose', emptyVersionForm())).toEqual({
      ok: false,
      issues: [
        { path: 'version', message: 'required' },
        { path: 'compose.file', message: 'required' },
      ],
    });
  });

  it('builds a helm version from a repository or an OCI reference, credentials in pairs', () => {
    const form = { ...emptyVersionForm(), version: '2.0.0', chart: 'web', location: 'https://charts.example.com', chartVersion: '1.2.3' };
    expect(buildVersionBody('helm', form)).toEqual({ ok: true, value: { version: '2.0.0', helm: { chart: 'web', repo: 'https://charts.example.com', chartVersion: '1.2.3' } } });
    const oci = { ...form, source: 'oci' as const, location: 'oci://reg.example.com/web', values: 'a: 1\n', registryUsername: 'bot', registryPassword: 's3cret' };
    expect(buildVersionBody('helm', oci)).toEqual({
      ok: true,
      value: { version: '2.0.0', helm: { chart: 'web', oci: 'oci://reg.example.com/web', chartVersion: '1.2.3', values: 'a: 1\n', credentials: { username: 'bot', password: 's3cret' } } },
    });
    expect(buildVersionBody('helm', { ...oci, location: '', registryPassword: '' })).toEqual({
      ok: false,
      issues: [
        { path: 'helm.oci', message: 'required' },
        { path: 'helm.credentials', message: 'give the registry password with the username' },
      ],
    });
  });

  it('prefills from an earlier version, never its password', () => {
    const helm = version({ helm: { chart: 'web', oci: 'oci://r/web', chartVersion: '1', values: 'x: 1', credentials: { username: 'bot', passwordSet: true } } });
    expect(versionFormFrom(helm)).toMatchObject({ version: '', chart: 'web', source: 'oci', location: 'oci://r/web', registryUsername: 'bot', registryPassword: '' });
    expect(versionFormFrom(version({ compose: { file: 'f', env: 'E=1' } }))).toMatchObject({ composeFile: 'f', env: 'E=1' });
  });

  it('offers archive or restore, and delete only when never used', () => {
    expect(versionActions({ archivedAt: null, inUse: false })).toEqual({ archive: true, restore: false, remove: true });
    expect(versionActions({ archivedAt: '2026-01-02T00:00:00.000Z', inUse: true })).toEqual({ archive: false, restore: true, remove: false });
  });

  it('compares versions by their compose file or chart and values', () => {
    expect(versionText(version({ compose: { file: 'services: {}' } }))).toBe('services: {}');
    expect(versionText(version({ compose: { file: 'a', env: 'E=1' } }))).toBe('a\n# --- env defaults ---\nE=1');
    expect(versionText(version({ helm: { chart: 'web', repo: 'https://c', chartVersion: '1.0', values: 'x: 1' } }))).toBe('# chart: web 1.0\n# repo: https://c\nx: 1');
  });
});

describe('customer and installation forms', () => {
  it('builds a customer', () => {
    expect(buildCustomerBody({ name: ' Globex ' })).toEqual({ ok: true, value: { name: 'Globex' } });
    expect(buildCustomerBody({ name: '' })).toMatchObject({ ok: false });
  });

  it('builds an installation, the track only when chosen', () => {
    const form = { customerId: 'c1', name: ' prod ', environment: 'production', agentKind: 'compose' as const, trackId: '' };
    expect(buildInstallationBody(form)).toEqual({ ok: true, value: { customerId: 'c1', name: 'prod', environment: 'production', agentKind: 'compose' } });
    expect(buildInstallationBody({ ...form, trackId: 't1' })).toMatchObject({ ok: true, value: { trackId: 't1' } });
    expect(buildInstallationBody({ ...form, customerId: '', environment: ' ' })).toEqual({
      ok: false,
      issues: [
        { path: 'customerId', message: 'required' },
        { path: 'environment', message: 'required' },
      ],
    });
  });

  it('patches an installation: only changes, no track = null', () => {
    const current = { name: 'prod', environment: 'production', trackId: 't1' };
    expect(installationPatch(current, { name: 'prod', environment: 'production', trackId: 't1' })).toEqual({ ok: true, value: null });
    expect(installationPatch(current, { name: 'prod', environment: 'staging', trackId: '' })).toEqual({ ok: true, value: { environment: 'staging', trackId: null } });
    expect(installationPatch({ ...current, trackId: null }, { ...current, trackId: 't2' })).toEqual({ ok: true, value: { trackId: 't2' } });
  });
});

describe('customerDeletion', () => {
  it('is blocked while installations exist, naming them', () => {
    expect(customerDeletion('Globex', ['prod', 'qa'], 1)).toEqual({ blocked: true, text: 'Globex still has 2 installations (prod, qa): delete them first.' });
  });

  it('names what goes with the customer', () => {
    expect(customerDeletion('Globex', [], 1)).toEqual({
      blocked: false,
      text: "Delete Globex? Its 1 entitlement, its users' memberships (their accounts stay), its pending invites and its API tokens go with it.",
    });
    expect(customerDeletion('Globex', [], 0).text).toContain('Its 0 entitlements');
  });
});
