import type { RolloutPreview } from '@flotilla/protocol';

/**
 * What the rollout wizard shows from the hub's `POST /rollouts/preview`: each wave's members by name
 * (the first wave of several is the canary), the installations left out grouped by why, and why there
 * is nothing to roll out. Pure: the page fetches the preview and binds these.
 */

export type IneligibleReason = RolloutPreview['ineligible'][number]['reason'];
export type Ineligible = RolloutPreview['ineligible'][number];

/** How the page knows an installation (the fleet store), to name wave members. */
export interface KnownInstallation {
  id: string;
  name: string;
  customerName: string;
}

export interface ReviewMember {
  id: string;
  /** The installation's name, or its id when the page does not know it. */
  name: string;
  customerName: string | null;
  canary: boolean;
  /** The required releases it runs first, in order (versions; empty: straight to the release). */
  requiredFirst: string[];
}

export interface ReviewWave {
  index: number;
  /** `Wave 1`, `Wave 1 · canary`. */
  title: string;
  canary: boolean;
  members: ReviewMember[];
}

/** The waves with their members named; the first wave is the canary when more waves follow it. */
export function reviewWaves(preview: RolloutPreview, known: ReadonlyMap<string, KnownInstallation>): ReviewWave[] {
  const waves = [...preview.waves].sort((a, b) => a.index - b.index);
  const steps = new Map((preview.steps ?? []).map((s) => [s.installationId, s.requiredSteps.map((r) => r.version)]));
  return waves.map((w, i) => {
    const canary = i === 0 && waves.length > 1 && w.installationIds.length > 0;
    return {
      index: w.index,
      title: `Wave ${i + 1}${canary ? ' · canary' : ''}`,
      canary,
      members: w.installationIds.map((id) => {
        const k = known.get(id);
        return { id, name: k?.name ?? id, customerName: k?.customerName ?? null, canary, requiredFirst: steps.get(id) ?? [] };
      }),
    };
  });
}

/** The reasons in the order the page lists them, each with a heading. */
export const REASON_TITLES: Readonly<Record<IneligibleReason, string>> = {
  'no-track': 'Not on a release track',
  'other-track': 'On another track',
  'not-entitled': 'Customer not entitled',
  'license-expired': 'License expired',
  'wrong-agent-kind': 'Wrong agent kind',
  uninstalling: 'Being uninstalled',
  'below-required-release': 'Would go back below a required release',
  'required-release-on-hold': 'A required release on the way is on hold',
  'required-release-not-entitled': 'Not entitled to a required release on the way',
};

export interface IneligibleGroup {
  reason: IneligibleReason;
  title: string;
  /** Everyone left out for this reason (the page shows the first few and counts the rest). */
  items: Ineligible[];
}

/** Left-out installations grouped by reason (in REASON_TITLES order), each group sorted by customer then name. */
export function ineligibleGroups(ineligible: readonly Ineligible[]): IneligibleGroup[] {
  return (Object.keys(REASON_TITLES) as IneligibleReason[]).flatMap((reason) => {
    const items = ineligible.filter((i) => i.reason === reason).sort((a, b) => a.customerName.localeCompare(b.customerName) || a.name.localeCompare(b.name));
    return items.length > 0 ? [{ reason, title: REASON_TITLES[reason], items }] : [];
  });
}

export interface NoTargetsInput {
  trackName: string;
  releaseVersion: string;
  /** What the hub said was left out (empty when the preview is not known). */
  ineligible: readonly Ineligible[];
}

/**
 * Why a rollout would have no target, in plain words with what to do about it. Installations on other
 * tracks (or none) do not explain anything unless nobody is on the track at all.
 */
export function noTargetsReason({ trackName, releaseVersion, ineligible }: NoTargetsInput): string {
  const count = (reason: IneligibleReason) => ineligible.filter((i) => i.reason === reason).length;
  /** `The installation on Shop belongs` / `The 3 installations on Shop belong`. */
  const subject = (n: number, singular: string, plural: string) => (n === 1 ? `The installation on ${trackName} ${singular}` : `The ${n} installations on ${trackName} ${plural}`);
  const reasons: string[] = [];
  const notEntitled = count('not-entitled');
  if (notEntitled > 0) reasons.push(`${subject(notEntitled, 'belongs to a customer', 'belong to customers')} not entitled to ${releaseVersion}: grant access on the customer's page.`);
  const lapsed = count('license-expired');
  if (lapsed > 0) reasons.push(`${subject(lapsed, 'belongs to a customer', 'belong to customers')} whose license expired and blocks updates: replace the license.`);
  const wrongKind = count('wrong-agent-kind');
  if (wrongKind > 0) reasons.push(`${subject(wrongKind, 'runs', 'run')} a kind of agent that release ${releaseVersion} has no component for.`);
  const uninstalling = count('uninstalling');
  if (uninstalling > 0) reasons.push(`${subject(uninstalling, 'is', 'are')} being uninstalled.`);
  if (reasons.length === 0) return `No installation is on the track ${trackName}: set an installation's track on its page.`;
  return `No installation can take ${releaseVersion}. ${reasons.join(' ')}`;
}
