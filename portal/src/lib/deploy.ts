import type { AgentKind, Application, ApplicationVersion, DeployBody, DeployResponse, Release } from '@flotilla/protocol';

/** What the installation page's Deploy offers: pure choices from the catalogue and the track's releases. */

export interface VersionChoice {
  applicationId: string;
  applicationName: string;
  /** Newest first, archived ones left out. */
  versions: ApplicationVersion[];
}

/** Applications of the agent's kind (a compose agent runs compose applications), each with its deployable versions. */
export function versionChoices(applications: readonly Application[], versions: Readonly<Record<string, readonly ApplicationVersion[]>>, agentKind: AgentKind): VersionChoice[] {
  return applications
    .filter((a) => a.kind === agentKind)
    .map((a) => ({
      applicationId: a.id,
      applicationName: a.name,
      versions: [...(versions[a.id] ?? [])].filter((v) => v.archivedAt === null).sort((x, y) => y.createdAt.localeCompare(x.createdAt)),
    }));
}

/** The track's releases that can be deployed: ready ones (locked, not held or rescinded), newest first as the hub lists them. */
export function releaseChoices(releases: readonly Release[]): Release[] {
  return releases.filter((r) => r.status === 'ready');
}

export type DeployChoice = { kind: 'version'; versionId: string } | { kind: 'release'; releaseId: string };

export function deployBody(choice: DeployChoice): DeployBody {
  return choice.kind === 'version' ? { versionId: choice.versionId } : { releaseId: choice.releaseId };
}

/** `web 1.2.0` or `release 2.0.0 — Spring`: what the confirmation and the result name. */
export function choiceLabel(choice: DeployChoice, versions: readonly VersionChoice[], releases: readonly Release[]): string {
  if (choice.kind === 'release') {
    const r = releases.find((x) => x.id === choice.releaseId);
    return r ? `release ${r.version}${r.name ? ` — ${r.name}` : ''}` : 'release';
  }
  for (const app of versions) {
    const v = app.versions.find((x) => x.id === choice.versionId);
    if (v) return `${app.applicationName} ${v.version}`;
  }
  return 'version';
}

/** A deploy that steps through required releases: the rollout running it and its releases in order (the target last). */
export interface SteppedDeploy {
  rolloutId: string;
  steps: NonNullable<DeployResponse['steps']>;
}

/** The stepped part of a deploy's answer, or null for a plain deploy (one desired state). */
export function steppedDeploy(answer: DeployResponse): SteppedDeploy | null {
  return answer.rolloutId && answer.steps && answer.steps.length > 0 ? { rolloutId: answer.rolloutId, steps: answer.steps } : null;
}

/** "required 2.0.0 (1 stage), then 3.0.0 (2 stages)": each step but the last is a required release. */
export function stepsText(steps: SteppedDeploy['steps']): string {
  const stages = (n: number) => `${n} stage${n === 1 ? '' : 's'}`;
  return steps.map((s, i) => `${i < steps.length - 1 ? 'required ' : ''}${s.version} (${stages(s.stageCount)})`).join(', then ');
}
