import { describe, expect, it } from 'vitest';
import { applyStdinArgs, deleteLicenseArgs, LICENSE_SECRET, licenseSecretManifest } from './kubectl-cli.js';

describe('license Secret', () => {
  it('is an Opaque Secret with the license under `license`, applied from stdin', () => {
    const manifest = JSON.parse(licenseSecretManifest('shop', 'abc.def')) as { kind: string; metadata: { name: string; namespace: string }; stringData: { license: string } };
    expect(manifest.kind).toBe('Secret');
    expect(manifest.metadata).toMatchObject({ name: LICENSE_SECRET, namespace: 'shop' });
    expect(manifest.stringData.license).toBe('abc.def');
    expect(applyStdinArgs('shop')).toEqual(['apply', '-f', '-', '--namespace', 'shop']);
    expect(deleteLicenseArgs('shop')).toEqual(['delete', 'secret', 'flotilla-license', '--namespace', 'shop', '--ignore-not-found']);
  });
});
