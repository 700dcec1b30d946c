import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DesiredComponent } from '@flotilla/protocol';
import { planConvergence } from './convergence.js';
import { withSecretDigests } from './secret-digest.js';
import { StateStore, emptyState } from './state-store.js';
import { createLogger } from './logger.js';

const web = (secret: string): DesiredComponent => ({ name: 'web', kind: 'compose', version: '1', stage: 1, spec: { file: 'x', environment: { LOG: 'debug', PW: secret }, secretKeys: ['PW'] } });

describe('secrets in the agent state file', () => {
  it('are digests: values stay, secrets go, digesting twice changes nothing', () => {
    const [c] = withSecretDigests([web('hunter2')]);
    expect(c?.kind === 'compose' && c.spec.environment?.LOG).toBe('debug');
    expect(c?.kind === 'compose' && c.spec.environment?.PW).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(withSecretDigests(c ? [c] : [])).toEqual([c]);
  });

  it('are never written plain, and a restarted agent still sees the same state as up to date (a changed secret is not)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flotilla-digest-'));
    try {
      const store = new StateStore(dir, createLogger('silent'));
      await store.save({ ...emptyState(), installationId: 'i', appliedRevision: 3, components: [web('hunter2')] });
      expect(await readFile(store.file, 'utf8')).not.toContain('hunter2');
      const loaded = await store.load();
      expect(planConvergence(loaded, { installationId: 'i', revision: 3, components: [web('hunter2')] }, new Set())).toEqual({ kind: 'noop', reason: 'up-to-date' });
      expect(planConvergence(loaded, { installationId: 'i', revision: 3, components: [web('changed')] }, new Set()).kind).toBe('apply');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
