export { HelmDriver, createHelmDriver, specHash, type HelmDriverOptions } from './helm-driver.js';
export { releaseName, MAX_RELEASE_NAME } from './release-name.js';
export { releaseHealth, driftOf, type ReleaseObservation } from './health.js';
export { workloadVerdict, workloadsOfManifest, WorkloadObject, type WorkloadRef } from './workloads.js';
export { upgradePlan, ociReference, ociRegistry, HelmRelease, HelmHistory } from './helm-cli.js';
export { loadHelmSettings, SERVICE_ACCOUNT_NAMESPACE_FILE, type HelmAgentSettings } from './settings.js';
export { AppliedRevisions, APPLIED_FILE } from './applied-revisions.js';
export { execCommand, failureText, type Exec, type ExecOptions, type ExecResult } from '@flotilla/agent-core';
export { agentHelmVersion } from './version.js';
