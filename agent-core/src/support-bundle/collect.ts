import os from 'node:os';
import { statfs } from 'node:fs/promises';
import type { ComponentStatus, DesiredComponent, HostFacts } from '@flotilla/protocol';
import type { Driver, DriverContext } from '../driver.js';
import { diskFromStatfs } from '../usage.js';
import type { LocalState } from '../state-store.js';
import { safeSegment, type RawBundleFile } from './bundle-files.js';

/** What the agent knows that a bundle collects. */
export interface BundleSources {
  driver: Driver;
  state: LocalState;
  statuses: readonly ComponentStatus[];
  host: HostFacts | undefined;
  agentVersion: string;
  stateDir: string;
  context: DriverContext;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Collects the raw files of a bundle: the agent's state and statuses, host facts, the driver's
 * runtime facts and the last `logLines` of each component. A step that fails is recorded as a
 * problem and the rest is still collected.
 */
export async function collectBundle(src: BundleSources, logLines: number): Promise<{ files: RawBundleFile[]; problems: string[] }> {
  const files: RawBundleFile[] = [];
  const problems: string[] = [];
  const components = src.state.components;
  files.push({ path: 'agent/state.json', description: "The agent's local state: applied revision, component specs, failures", json: src.state });
  files.push({ path: 'agent/statuses.json', description: 'Component statuses as the agent reports them now', json: src.statuses });
  files.push({ path: 'host/facts.json', description: 'Host facts: OS, CPUs, memory, disk, runtime and agent versions', json: await hostFacts(src) });

  if (src.driver.supportFiles) {
    try {
      for (const f of await src.driver.supportFiles(components, src.context)) {
        const path = `runtime/${f.name.split('/').map(safeSegment).join('/')}`;
        files.push('text' in f ? { path, description: f.description, text: f.text } : { path, description: f.description, json: f.json });
      }
    } catch (err) {
      problems.push(`runtime facts: ${message(err)}`);
    }
  } else {
    problems.push(`runtime facts: the ${src.driver.kind} driver collects none`);
  }

  for (const component of components) {
    const got = await componentLogs(src, component, logLines);
    if ('lines' in got) files.push({ path: `logs/${safeSegment(component.name)}.log`, description: `The last ${logLines} log lines of each workload of "${component.name}"`, text: got.lines.join('\n') });
    else problems.push(`logs of "${component.name}": ${got.problem}`);
  }
  return { files, problems };
}

async function componentLogs(src: BundleSources, component: DesiredComponent, lines: number): Promise<{ lines: string[] } | { problem: string }> {
  if (!src.driver.logs) return { problem: `the ${src.driver.kind} driver cannot read logs` };
  try {
    return { lines: await src.driver.logs(component, lines, src.context) };
  } catch (err) {
    return { problem: message(err) };
  }
}

async function hostFacts(src: BundleSources): Promise<Record<string, unknown>> {
  let disk: Record<string, unknown>;
  try {
    const { used, total } = diskFromStatfs(await statfs(src.stateDir));
    disk = { path: src.stateDir, usedBytes: used, totalBytes: total };
  } catch (err) {
    disk = { path: src.stateDir, error: message(err) };
  }
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    os: `${os.type()} ${os.release()}`,
    platform: os.platform(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    loadAverage: os.loadavg(),
    memoryTotalBytes: os.totalmem(),
    memoryFreeBytes: os.freemem(),
    uptimeSeconds: Math.round(os.uptime()),
    disk,
    runtime: src.host?.runtime ?? null,
    agentKind: src.driver.kind,
    agentVersion: src.agentVersion,
    nodeVersion: process.version,
    collectedAt: new Date().toISOString(),
  };
}
