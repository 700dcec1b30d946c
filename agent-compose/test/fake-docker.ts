/**
 * Test support (import '@flotilla/agent-compose/test/fake-docker'): the fake `docker` and
 * `docker-compose` of test/fake-docker/, and readers of what they were asked to do.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Put first on PATH. */
export const FAKE_DOCKER_DIR = fileURLToPath(new URL('./fake-docker/', import.meta.url));

export interface FakeDockerLog {
  /** Each call's arguments (v1 calls start with 'docker-compose'). */
  calls: string[][];
  /** Processes the fake started (the updater step, agents). */
  spawned: number[];
}

export async function readFakeDockerLog(file: string): Promise<FakeDockerLog> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { calls: [], spawned: [] };
  }
  const entries = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { argv?: string[]; spawned?: number });
  return { calls: entries.flatMap((e) => (e.argv ? [e.argv] : [])), spawned: entries.flatMap((e) => (e.spawned === undefined ? [] : [e.spawned])) };
}

/** Environment for a process that should use the fake (PATH first, calls logged to `logFile`). */
export function fakeDockerEnv(logFile: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}`, DOCKER_FAKE_LOG: logFile, ...extra };
}

/** Kills what the fake started (test cleanup). */
export async function killSpawned(logFile: string): Promise<void> {
  for (const pid of (await readFakeDockerLog(logFile)).spawned) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
