import { describe, expect, it } from 'vitest';
import { DEPLOYMENTS, RELEASE_ACTIONS, RELEASE_STATUSES, transition, type Deployment, type ReleaseAction, type ReleaseStatus, type Transition } from './lifecycle.js';

const ok = (status: ReleaseStatus): Transition => ({ ok: true, status });

/**
 * The full table: every (status, deployment) × action, with everything pinned and ticked.
 * A string is the start of the refusal reason (which must say why).
 */
const TABLE: Record<ReleaseStatus, Record<Deployment, Record<ReleaseAction, ReleaseStatus | string>>> = {
  draft: {
    none: { edit: 'draft', lock: 'ready', unlock: 'the release is already unlocked', hold: 'only a locked (ready) release can be put on hold', resume: 'only a release on hold', rescind: 'a draft was never released', deploy: 'only a locked (ready) release can be deployed', delete: 'draft' },
    // a draft is never deployed; these rows prove the rules stay safe if data says otherwise
    partial: { edit: 'draft', lock: 'ready', unlock: 'the release is already unlocked', hold: 'only a locked (ready)', resume: 'only a release on hold', rescind: 'a draft was never released', deploy: 'only a locked (ready)', delete: 'the release has been deployed' },
    complete: { edit: 'draft', lock: 'ready', unlock: 'the release is already unlocked', hold: 'only a locked (ready)', resume: 'only a release on hold', rescind: 'a draft was never released', deploy: 'only a locked (ready)', delete: 'the release has been deployed' },
  },
  ready: {
    none: { edit: 'components, versions and stages change only in draft', lock: 'only a draft can be locked', unlock: 'draft', hold: 'hold', resume: 'only a release on hold', rescind: 'the release was never deployed', deploy: 'ready', delete: 'ready' },
    partial: { edit: 'components, versions and stages change only in draft', lock: 'only a draft can be locked', unlock: 'hold', hold: 'hold', resume: 'only a release on hold', rescind: 'rescinded', deploy: 'ready', delete: 'the release has been deployed' },
    complete: { edit: 'components, versions and stages change only in draft', lock: 'only a draft can be locked', unlock: 'hold', hold: 'hold', resume: 'only a release on hold', rescind: 'rescinded', deploy: 'ready', delete: 'the release has been deployed' },
  },
  hold: {
    none: { edit: 'components, versions and stages change only in draft', lock: 'only a draft can be locked', unlock: 'the release is on hold', hold: 'the release is already on hold', resume: 'ready', rescind: 'the release was never deployed', deploy: 'the release is on hold', delete: 'hold' },
    partial: { edit: 'components, versions and stages change only in draft', lock: 'only a draft can be locked', unlock: 'the release is on hold', hold: 'the release is already on hold', resume: 'ready', rescind: 'rescinded', deploy: 'the release is on hold', delete: 'the release has been deployed' },
    complete: { edit: 'components, versions and stages change only in draft', lock: 'only a draft can be locked', unlock: 'the release is on hold', hold: 'the release is already on hold', resume: 'ready', rescind: 'rescinded', deploy: 'the release is on hold', delete: 'the release has been deployed' },
  },
  rescinded: {
    none: { edit: 'the release is rescinded', lock: 'the release is rescinded', unlock: 'the release is rescinded', hold: 'the release is rescinded', resume: 'the release is rescinded', rescind: 'the release is rescinded', deploy: 'the release is rescinded', delete: 'rescinded' },
    partial: { edit: 'the release is rescinded', lock: 'the release is rescinded', unlock: 'the release is rescinded', hold: 'the release is rescinded', resume: 'the release is rescinded', rescind: 'the release is rescinded', deploy: 'the release is rescinded', delete: 'rescinded' },
    complete: { edit: 'the release is rescinded', lock: 'the release is rescinded', unlock: 'the release is rescinded', hold: 'the release is rescinded', resume: 'the release is rescinded', rescind: 'the release is rescinded', deploy: 'the release is rescinded', delete: 'rescinded' },
  },
};

describe('release lifecycle: every state × every action', () => {
  for (const status of RELEASE_STATUSES) {
    for (const deployment of DEPLOYMENTS) {
      for (const action of RELEASE_ACTIONS) {
        const expected = TABLE[status][deployment][action];
        it(`${status} (${deployment}) + ${action} → ${(RELEASE_STATUSES as readonly string[]).includes(expected) ? expected : 'refused'}`, () => {
          const result = transition({ status, deployment, allPinned: true, checklistDone: true }, action);
          if ((RELEASE_STATUSES as readonly string[]).includes(expected)) expect(result).toEqual(ok(expected as ReleaseStatus));
          else {
            expect(result.ok).toBe(false);
            if (!result.ok) expect(result.reason.startsWith(expected)).toBe(true);
          }
        });
      }
    }
  }
});

describe('locking needs pinned components and a ticked checklist', () => {
  it('refuses with unpinned components', () => {
    expect(transition({ status: 'draft', deployment: 'none', allPinned: false, checklistDone: true }, 'lock')).toEqual({ ok: false, reason: 'every component needs a pinned application version before locking' });
  });
  it('refuses with an open checklist item', () => {
    expect(transition({ status: 'draft', deployment: 'none', allPinned: true, checklistDone: false }, 'lock')).toEqual({ ok: false, reason: 'every checklist item must be ticked before locking' });
  });
  it('pins and checklist do not matter for other actions', () => {
    expect(transition({ status: 'ready', deployment: 'none', allPinned: false, checklistDone: false }, 'unlock')).toEqual(ok('draft'));
  });
});
