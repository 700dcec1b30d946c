import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentCredentials } from '@flotilla/protocol';

const AGENT_BINS = {
  compose: fileURLToPath(new URL('../../agent-compose/dist/bin.js', import.meta.url)),
  helm: fileURLToPath(new URL('../../agent-helm/dist/bin.js', import.meta.url)),
};

/**
 * Runs the real `flotilla-agent-compose` (or `-helm`; built) against a hub, with only the environment it needs,
 * health sampled every second, and its output handed to `onOutput` (tests print it on failure).
 */
export function startAgentProcess(hubUrl: string, creds: Pick<AgentCredentials, 'agentId' | 'secret'>, stateDir: string, onOutput: (text: string) => void, extraEnv: Record<string, string> = {}, kind: keyof typeof AGENT_BINS = 'compose'): ChildProcess {
  const child = spawn(process.execPath, [AGENT_BINS[kind]], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      FLOTILLA_HUB_URL: hubUrl,
      FLOTILLA_AGENT_ID: creds.agentId,
      FLOTILLA_AGENT_SECRET: creds.secret,
      FLOTILLA_STATE_DIR: stateDir,
      FLOTILLA_HEALTH_INTERVAL: '1',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => onOutput(d.toString()));
  child.stderr?.on('data', (d: Buffer) => onOutput(d.toString()));
  return child;
}
