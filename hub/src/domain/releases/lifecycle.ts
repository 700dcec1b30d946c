/**
 * The release lifecycle, drawn below. Pure: given a release's
 * state and an action, the next state or the reason the action is refused.
 *
 *   draft ──lock──▶ ready ──first deploy──▶ ready (partially) ──▶ ready (completely deployed)
 *     ▲              │  ▲                        │
 *     └──unlock──────┘  └──resume── hold ◀──hold / unlock (after any deploy)
 *   ready | hold, deployed at least partially ──rescind──▶ rescinded
 */

export const RELEASE_STATUSES = ['draft', 'ready', 'hold', 'rescinded'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export const DEPLOYMENTS = ['none', 'partial', 'complete'] as const;
export type Deployment = (typeof DEPLOYMENTS)[number];

export const RELEASE_ACTIONS = ['edit', 'lock', 'unlock', 'hold', 'resume', 'rescind', 'deploy', 'delete'] as const;
export type ReleaseAction = (typeof RELEASE_ACTIONS)[number];

export interface ReleaseState {
  status: ReleaseStatus;
  deployment: Deployment;
  /** Every component has a pinned application version, and there is at least one. */
  allPinned: boolean;
  /** Every checklist item is ticked (true for an empty checklist). */
  checklistDone: boolean;
}

export type Transition = { ok: true; status: ReleaseStatus } | { ok: false; reason: string };

const refuse = (reason: string): Transition => ({ ok: false, reason });
const to = (status: ReleaseStatus): Transition => ({ ok: true, status });

export function transition(s: ReleaseState, action: ReleaseAction): Transition {
  const deployed = s.deployment !== 'none';
  if (s.status === 'rescinded') {
    return action === 'delete' ? to('rescinded') : refuse(`the release is rescinded: it can never be ${pastTense(action)} again; only delete is possible`);
  }
  switch (action) {
    case 'edit':
      if (s.status === 'draft') return to('draft');
      return refuse(`components, versions and stages change only in draft; the release is ${s.status}${deployed ? ' and deployed' : ', unlock it first'}`);
    case 'lock':
      if (s.status !== 'draft') return refuse(`only a draft can be locked; the release is ${s.status}`);
      if (!s.allPinned) return refuse('every component needs a pinned application version before locking');
      if (!s.checklistDone) return refuse('every checklist item must be ticked before locking');
      return to('ready');
    case 'unlock':
      if (s.status === 'draft') return refuse('the release is already unlocked (draft)');
      if (s.status === 'hold') return refuse('the release is on hold; resume it, or rescind it');
      // After any deploy, unlocking cannot bring back draft: it holds the release instead.
      return deployed ? to('hold') : to('draft');
    case 'hold':
      if (s.status === 'ready') return to('hold');
      return refuse(s.status === 'hold' ? 'the release is already on hold' : 'only a locked (ready) release can be put on hold; lock it first');
    case 'resume':
      return s.status === 'hold' ? to('ready') : refuse(`only a release on hold can be resumed; the release is ${s.status}`);
    case 'rescind':
      if (s.status === 'draft') return refuse('a draft was never released; delete it instead');
      if (!deployed) return refuse('the release was never deployed; unlock and delete it instead of rescinding');
      return to('rescinded');
    case 'deploy':
      if (s.status === 'ready') return to('ready');
      return refuse(s.status === 'draft' ? 'only a locked (ready) release can be deployed; lock it first' : 'the release is on hold: no new deployments until it is resumed');
    case 'delete':
      return deployed ? refuse('the release has been deployed; rescind it first (a rescinded release can be deleted)') : to(s.status);
  }
}

function pastTense(action: ReleaseAction): string {
  const words: Record<ReleaseAction, string> = { edit: 'edited', lock: 'locked', unlock: 'unlocked', hold: 'held', resume: 'resumed', rescind: 'rescinded', deploy: 'deployed', delete: 'deleted' };
  return words[action];
}

/** Whether the release is locked (ready, hold, rescinded): its content is frozen. */
export function isLocked(status: ReleaseStatus): boolean {
  return status !== 'draft';
}
