import { describe, expect, it } from 'vitest';
import { formatFields } from '../format.js';
import { deployFields } from './deploy.js';

describe('deployFields', () => {
  it('prints the revision of a plain deploy', () => {
    expect(deployFields('Shop@1.0.0', 'Acme/main', { revision: 3 })).toEqual({ deployed: 'Shop@1.0.0', installation: 'Acme/main', revision: 3 });
  });

  it('prints the steps and the rollout of a deploy past a required release', () => {
    const res = { revision: 4, rolloutId: 'ro-1', steps: [{ version: '2.0.0', stageCount: 1 }, { version: '3.0.0', stageCount: 2 }] };
    expect(formatFields(deployFields('Shop@3.0.0', 'Acme/main', res)).split('\n')).toEqual([
      'deployed:     Shop@3.0.0',
      'installation: Acme/main',
      'revision:     4',
      'steps:        2.0.0 (required) -> 3.0.0',
      'rollout:      ro-1',
      'follow:       flotilla rollouts watch ro-1',
    ]);
  });
});
