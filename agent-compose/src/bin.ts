#!/usr/bin/env node
import { runAgentCli } from '@flotilla/agent-core';
import { createComposeDriver } from './compose-driver.js';
import { agentComposeVersion } from './version.js';

const code = await runAgentCli({
  name: 'flotilla-agent-compose',
  agentVersion: agentComposeVersion(),
  createDriver: (config, logger) => createComposeDriver({ stateDir: config.stateDir, logger }),
});
process.exit(code);
