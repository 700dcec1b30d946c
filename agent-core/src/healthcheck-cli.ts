import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR } from './config.js';
import { checkHeartbeat, DEFAULT_HEALTH_LIMITS } from './heartbeat.js';

export interface HealthcheckIo {
  env: Record<string, string | undefined>;
  cwd: string;
  out(line: string): void;
}

/**
 * `flotilla-agent-* healthcheck [--state-dir DIR] [--max-offline SEC]`: exit 0 healthy, 1 unhealthy,
 * 2 bad usage. Reads only the state directory, so it runs without the agent's credentials.
 */
export async function runHealthcheck(argv: readonly string[], io: HealthcheckIo): Promise<number> {
  let values: { 'state-dir'?: string; 'max-offline'?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { 'state-dir': { type: 'string' }, 'max-offline': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.out(`healthcheck: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const maxOffline = values['max-offline'] === undefined ? DEFAULT_HEALTH_LIMITS.maxOfflineMs / 1000 : Number(values['max-offline']);
  if (!Number.isFinite(maxOffline) || maxOffline < 0) {
    io.out('healthcheck: --max-offline must be a number of seconds');
    return 2;
  }
  const dir = values['state-dir'] ?? (io.env.FLOTILLA_STATE_DIR || DEFAULT_STATE_DIR);
  const verdict = await checkHeartbeat(path.resolve(io.cwd, dir), { ...DEFAULT_HEALTH_LIMITS, maxOfflineMs: maxOffline * 1000 });
  io.out(`${verdict.healthy ? 'healthy' : 'unhealthy'}: ${verdict.message}`);
  return verdict.healthy ? 0 : 1;
}
