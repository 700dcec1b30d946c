export { ComposeDriver, createComposeDriver, componentPaths, licensePaths, type ComposeDriverOptions } from './compose-driver.js';
export { detectCompose, describeCompose, composeArgs, type ComposeCli } from './compose-cli.js';
export { componentHealth, classifyContainer, ContainerInspect, InspectOutput } from './health.js';
export { projectName, dockerEnvironment } from './project.js';
export { execCommand, failureText, type Exec, type ExecOptions, type ExecResult } from '@flotilla/agent-core';
export { agentComposeVersion } from './version.js';
export { composeAgentMain, type ComposeCliOptions } from './cli.js';
export { AGENT_SERVICE, SELF_COMPOSE_ENV, SelfComposeDocument, parseSelfCompose, selfComposeFile, selfComposePath, withImage, updaterRunArgs, dockerSocketPath } from './self-compose.js';
export { runSelfUpdateApply } from './self-update-apply.js';
