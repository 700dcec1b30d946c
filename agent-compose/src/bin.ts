#!/usr/bin/env node
import { composeAgentMain } from './cli.js';
import { agentComposeVersion } from './version.js';

process.exit(await composeAgentMain({ agentVersion: agentComposeVersion() }));
