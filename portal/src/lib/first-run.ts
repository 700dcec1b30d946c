import type { Installation } from '@flotilla/protocol';

/**
 * The first-run checklist: application → version → customer → installation → connect agent →
 * deploy. Each step is done from real data (what exists, an agent that connected, a deployed
 * revision) and links to where it is done; the first step not done is the current one. The labels
 * avoid the contract's button names ("New customer", "Deploy"…), which stay unique on each page.
 */
export type FirstRunKey = 'application' | 'version' | 'customer' | 'installation' | 'agent' | 'deploy';

export interface FirstRunStep {
  key: FirstRunKey;
  label: string;
  /** Where the step is done. */
  to: string;
  done: boolean;
}

export interface FirstRunFacts {
  applicationIds: readonly string[];
  /** Applications that have at least one version. */
  applicationsWithVersions: readonly string[];
  customerIds: readonly string[];
  installations: readonly Pick<Installation, 'id' | 'agentId' | 'status'>[];
}

/** An agent connected at least once: it is online now or was seen. */
function connected(i: Pick<Installation, 'status'>): boolean {
  return i.status.online || i.status.lastSeenAt !== null;
}

export function firstRunSteps(facts: FirstRunFacts): FirstRunStep[] {
  const app = facts.applicationIds[0];
  const customer = facts.customerIds[0];
  const installation = facts.installations[0];
  const withAgent = facts.installations.find(connected) ?? installation;
  return [
    { key: 'application', label: 'Create an application', to: '/applications', done: facts.applicationIds.length > 0 },
    { key: 'version', label: 'Add a version of it', to: app ? `/applications/${app}` : '/applications', done: facts.applicationsWithVersions.length > 0 },
    { key: 'customer', label: 'Create a customer', to: '/customers', done: facts.customerIds.length > 0 },
    {
      key: 'installation',
      label: 'Create an installation for it',
      to: customer ? `/customers/${customer}` : '/customers',
      done: facts.installations.length > 0,
    },
    {
      key: 'agent',
      label: 'Connect its agent',
      to: installation ? `/installations/${installation.id}` : '/',
      done: facts.installations.some(connected),
    },
    {
      key: 'deploy',
      label: 'Send it a version or a release',
      to: withAgent ? `/installations/${withAgent.id}` : '/',
      done: facts.installations.some((i) => i.status.desiredRevision > 0),
    },
  ];
}

/** The first step not done yet (undefined when all are). */
export function currentStep(steps: readonly FirstRunStep[]): FirstRunStep | undefined {
  return steps.find((s) => !s.done);
}
