// The agent a fake `compose up` starts: the real agent-compose CLI, reporting the version the image
// tag says (a real image bakes its version in; this process stands in for that image).
import { composeAgentMain } from '../../dist/cli.js';

process.exit(await composeAgentMain({ agentVersion: process.env.FAKE_AGENT_VERSION ?? '0.0.0' }));
