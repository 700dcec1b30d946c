import { describe, expect, it } from 'vitest';
import { RolloutPreview } from '@flotilla/protocol';
import { ineligibleGroups, noTargetsReason, reviewWaves, type Ineligible, type KnownInstallation } from './rollout-preview';

const known = new Map<string, KnownInstallation>([
  ['i1', { id: 'i1', name: 'edge-1', customerName: 'Globex' }],
  ['i2', { id: 'i2', name: 'edge-2', customerName: 'Globex' }],
  ['i3', { id: 'i3', name: 'edge-3', customerName: 'Initech' }],
]);

const left = (installationId: string, name: string, customerName: string, reason: Ineligible['reason']): Ineligible => ({ installationId, name, customerName, reason, message: `message for ${reason}` });

describe('reviewWaves', () => {
  it('names each wave member; the first of several waves is the canary', () => {
    const preview = RolloutPreview.parse({ waves: [{ index: 1, installationIds: ['i2', 'i3'] }, { index: 0, installationIds: ['i1'] }], eligibleCount: 3, steps: [], ineligible: [] });
    expect(reviewWaves(preview, known)).toEqual([
      { index: 0, title: 'Wave 1 · canary', canary: true, members: [{ id: 'i1', name: 'edge-1', customerName: 'Globex', canary: true, requiredFirst: [] }] },
      {
        index: 1,
        title: 'Wave 2',
        canary: false,
        members: [
          { id: 'i2', name: 'edge-2', customerName: 'Globex', canary: false, requiredFirst: [] },
          { id: 'i3', name: 'edge-3', customerName: 'Initech', canary: false, requiredFirst: [] },
        ],
      },
    ]);
  });

  it('names the required releases a member runs first', () => {
    const waves = reviewWaves({ waves: [{ index: 0, installationIds: ['i1', 'i2'] }], eligibleCount: 2, steps: [{ installationId: 'i2', requiredSteps: [{ releaseId: 'r2', version: '2.0.0', stageCount: 1 }] }], ineligible: [] }, known);
    expect(waves[0]?.members.map((m) => m.requiredFirst)).toEqual([[], ['2.0.0']]);
  });

  it('one wave has no canary; an installation the page does not know shows its id', () => {
    const waves = reviewWaves({ waves: [{ index: 0, installationIds: ['i1', 'gone'] }], eligibleCount: 2, steps: [], ineligible: [] }, known);
    expect(waves[0]?.canary).toBe(false);
    expect(waves[0]?.title).toBe('Wave 1');
    expect(waves[0]?.members[1]).toEqual({ id: 'gone', name: 'gone', customerName: null, canary: false, requiredFirst: [] });
  });
});

describe('ineligibleGroups', () => {
  it('groups by reason in a fixed order, sorted by customer then name', () => {
    const groups = ineligibleGroups([
      left('a', 'zeta', 'Globex', 'other-track'),
      left('b', 'main', 'Initech', 'no-track'),
      left('c', 'alpha', 'Globex', 'no-track'),
      left('d', 'k8s', 'Globex', 'wrong-agent-kind'),
    ]);
    expect(groups.map((g) => [g.title, g.items.map((i) => i.name)])).toEqual([
      ['Not on a release track', ['alpha', 'main']],
      ['On another track', ['zeta']],
      ['Wrong agent kind', ['k8s']],
    ]);
    expect(ineligibleGroups([])).toEqual([]);
  });
});

describe('noTargetsReason', () => {
  const input = { trackName: 'Shop', releaseVersion: '1.2.0' };

  it('nobody on the track: set a track on the installation page', () => {
    const expected = "No installation is on the track Shop: set an installation's track on its page.";
    expect(noTargetsReason({ ...input, ineligible: [] })).toBe(expected);
    expect(noTargetsReason({ ...input, ineligible: [left('a', 'main', 'Globex', 'no-track'), left('b', 'other', 'Globex', 'other-track')] })).toBe(expected);
  });

  it('on the track but refused: says why, singular and plural', () => {
    expect(noTargetsReason({ ...input, ineligible: [left('a', 'main', 'Globex', 'not-entitled'), left('b', 'x', 'Globex', 'no-track')] })).toBe(
      "No installation can take 1.2.0. The installation on Shop belongs to a customer not entitled to 1.2.0: grant access on the customer's page.",
    );
    expect(noTargetsReason({ ...input, ineligible: [left('a', 'a', 'G', 'wrong-agent-kind'), left('b', 'b', 'G', 'wrong-agent-kind'), left('c', 'c', 'G', 'uninstalling')] })).toBe(
      'No installation can take 1.2.0. The 2 installations on Shop run a kind of agent that release 1.2.0 has no component for. The installation on Shop is being uninstalled.',
    );
  });
});
