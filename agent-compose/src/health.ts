import { z } from 'zod';
import type { HealthSample } from '@flotilla/agent-core';

/** The part of `docker inspect <container>` the driver reads. */
export const ContainerInspect = z
  .object({
    Id: z.string(),
    Name: z.string().default(''),
    /** Times the engine restarted the container (restart policy); the metrics' `restarts`. */
    RestartCount: z.number().default(0),
    State: z
      .object({
        Status: z.string(),
        ExitCode: z.number().default(0),
        Error: z.string().optional(),
        Health: z
          .object({
            Status: z.string(),
            Log: z.array(z.object({ ExitCode: z.number(), Output: z.string() }).loose()).nullable().optional(),
          })
          .loose()
          .nullable()
          .optional(),
      })
      .loose(),
    Config: z.object({ Labels: z.record(z.string(), z.string()).nullable().optional() }).loose(),
    HostConfig: z
      .object({ RestartPolicy: z.object({ Name: z.string() }).loose().nullable().optional() })
      .loose()
      .optional(),
  })
  .loose();
export type ContainerInspect = z.infer<typeof ContainerInspect>;

export const InspectOutput = z.array(ContainerInspect);

type Verdict = 'ok' | 'progressing' | 'bad';

interface ContainerVerdict {
  service: string;
  verdict: Verdict;
  detail: string;
}

const clip = (text: string, max = 300) => {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
};

/** One container: running (+ healthcheck), starting, restarting, completed one-shot, or down. */
export function classifyContainer(c: ContainerInspect): ContainerVerdict {
  const labels = c.Config.Labels ?? {};
  const service = labels['com.docker.compose.service'] ?? c.Name.replace(/^\//, '');
  const state = c.State;
  const health = state.Health?.Status;
  switch (state.Status) {
    case 'running': {
      if (health === 'starting') return { service, verdict: 'progressing', detail: 'health: starting' };
      if (health === 'unhealthy') {
        const last = state.Health?.Log?.at(-1)?.Output;
        return { service, verdict: 'bad', detail: `unhealthy${last === undefined || clip(last) === '' ? '' : `: ${clip(last)}`}` };
      }
      return { service, verdict: 'ok', detail: 'running' };
    }
    case 'restarting':
      return { service, verdict: 'progressing', detail: `restarting (last exit code ${state.ExitCode})` };
    case 'created':
      return { service, verdict: 'progressing', detail: 'created, not started' };
    case 'exited': {
      const policy = c.HostConfig?.RestartPolicy?.Name ?? '';
      // A one-shot service (a migrator) that finished successfully and is not meant to run again.
      if (state.ExitCode === 0 && (policy === '' || policy === 'no' || policy === 'on-failure')) {
        return { service, verdict: 'ok', detail: 'completed' };
      }
      const error = state.Error === undefined || state.Error === '' ? '' : `: ${clip(state.Error)}`;
      return { service, verdict: 'bad', detail: `exited (${state.ExitCode})${error}` };
    }
    default:
      return { service, verdict: 'bad', detail: state.Status };
  }
}

/**
 * A component from its containers: `healthy` (all running, healthchecks healthy or absent, one-shots
 * completed), `progressing` (starting, health starting, restarting, nothing down), `degraded` (some
 * up, some down or unhealthy), `failed` (none up, or no containers at all).
 */
export function componentHealth(containers: readonly ContainerInspect[], project: string): HealthSample {
  const relevant = containers.filter((c) => (c.Config.Labels ?? {})['com.docker.compose.oneoff'] !== 'True');
  if (relevant.length === 0) return { health: 'failed', message: `no containers (compose project ${project})` };
  const verdicts = relevant.map(classifyContainer).sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  const count = (v: Verdict) => verdicts.filter((x) => x.verdict === v).length;
  const ok = count('ok');
  const progressing = count('progressing');
  const bad = count('bad');
  const problems = verdicts.filter((v) => v.verdict !== 'ok').map((v) => `${v.service}: ${v.detail}`);
  const message = `${ok}/${verdicts.length} up; ${problems.join('; ')}`;
  if (bad === 0 && progressing === 0) return { health: 'healthy' };
  if (bad === 0) return { health: 'progressing', message };
  const running = verdicts.filter((v) => v.verdict === 'ok' && v.detail === 'running').length;
  if (running + progressing === 0) return { health: 'failed', message };
  return { health: 'degraded', message };
}
