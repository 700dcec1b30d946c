import type { BundleManifest, BundleManifestFile } from '@flotilla/protocol';
import type { Redactor } from './redact.js';

/** One collected file before redaction: text, or data written as JSON. */
export type RawBundleFile = { path: string; description: string } & ({ text: string } | { json: unknown });

/** One file as it goes into the archive (redacted). */
export interface BundleFile {
  path: string;
  content: string;
  description: string;
  redactions: number;
}

export const MANIFEST_PATH = 'manifest.json';

export interface BundleMeta {
  bundleId: string;
  installationId: string;
  createdAt: string;
  agentKind: string;
  agentVersion: string;
  logLines: number;
  redactPatterns: string[];
  problems: string[];
}

/** Archive paths are relative, `/`-separated, without `..`, one segment per name part. */
export function safeSegment(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? '_' : cleaned.slice(0, 100);
}

/**
 * Redacts every collected file and adds the manifest that lists them (path, size, what it holds, how
 * many values were redacted) and the problems met while collecting. Pure: the same input gives the
 * same archive content.
 */
export function buildBundleFiles(raw: readonly RawBundleFile[], redactor: Redactor, meta: BundleMeta): { files: BundleFile[]; manifest: BundleManifest } {
  const files = raw.map((f): BundleFile => {
    const redacted = 'text' in f ? redactor.text(f.text) : redactor.json(f.json);
    return { path: f.path, content: redacted.value.endsWith('\n') ? redacted.value : `${redacted.value}\n`, description: f.description, redactions: redacted.count };
  });
  const listed: BundleManifestFile[] = files.map((f) => ({ path: f.path, bytes: Buffer.byteLength(f.content), description: f.description, redactions: f.redactions }));
  const manifest: BundleManifest = {
    bundleId: meta.bundleId,
    installationId: meta.installationId,
    createdAt: meta.createdAt,
    agentKind: meta.agentKind,
    agentVersion: meta.agentVersion,
    logLines: meta.logLines,
    redactPatterns: meta.redactPatterns,
    secretValues: redactor.secretCount,
    files: listed,
    // Problems quote the runtime's errors, which may echo a value: redacted like the files.
    problems: meta.problems.map((p) => redactor.text(p).value),
  };
  const manifestFile: BundleFile = { path: MANIFEST_PATH, content: `${JSON.stringify(manifest, null, 2)}\n`, description: 'This list: every file of the bundle and how it was redacted', redactions: 0 };
  return { files: [manifestFile, ...files], manifest };
}
