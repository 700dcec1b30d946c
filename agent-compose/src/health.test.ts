import { describe, expect, it } from 'vitest';
import { componentHealth, type ContainerInspect } from './health.js';

function container(service: string, state: Partial<ContainerInspect['State']> & { Status: string }, extra: { restart?: string; oneoff?: boolean } = {}): ContainerInspect {
  return {
    Id: `${service}-id`,
    Name: `/p_${service}_1`,
    State: { ExitCode: 0, ...state },
    RestartCount: 0,
    Config: { Labels: { 'com.docker.compose.service': service, 'com.docker.compose.oneoff': extra.oneoff === true ? 'True' : 'False' } },
    HostConfig: { RestartPolicy: { Name: extra.restart ?? 'no' } },
  };
}

const running = (s: string) => container(s, { Status: 'running' });

describe('componentHealth', () => {
  it('no containers → failed', () => {
    expect(componentHealth([], 'flt-x-web')).toEqual({ health: 'failed', message: 'no containers (compose project flt-x-web)' });
  });

  it('all running, healthchecks healthy or absent → healthy', () => {
    expect(componentHealth([running('web'), container('api', { Status: 'running', Health: { Status: 'healthy' } })], 'p')).toEqual({
      health: 'healthy',
    });
  });

  it('a one-shot service that completed counts as up', () => {
    expect(componentHealth([running('web'), container('migrate', { Status: 'exited', ExitCode: 0 })], 'p').health).toBe('healthy');
    // …but not when it should be running (restart: always).
    expect(componentHealth([running('web'), container('worker', { Status: 'exited', ExitCode: 0 }, { restart: 'always' })], 'p').health).toBe('degraded');
  });

  it('starting, health starting or restarting → progressing', () => {
    expect(componentHealth([running('web'), container('api', { Status: 'running', Health: { Status: 'starting' } })], 'p')).toEqual({
      health: 'progressing',
      message: '1/2 up; api: health: starting',
    });
    expect(componentHealth([container('api', { Status: 'restarting', ExitCode: 1 })], 'p').health).toBe('progressing');
    expect(componentHealth([container('api', { Status: 'created' })], 'p').health).toBe('progressing');
  });

  it('some up, some down or unhealthy → degraded, naming the problems', () => {
    const h = componentHealth(
      [
        running('web'),
        container('api', { Status: 'running', Health: { Status: 'unhealthy', Log: [{ ExitCode: 1, Output: 'wget: can\'t connect\n' }] } }),
        container('worker', { Status: 'exited', ExitCode: 137 }),
      ],
      'p',
    );
    expect(h).toEqual({ health: 'degraded', message: "1/3 up; api: unhealthy: wget: can't connect; worker: exited (137)" });
  });

  it('nothing running (exited, unhealthy, dead) → failed', () => {
    expect(componentHealth([container('web', { Status: 'exited', ExitCode: 143 })], 'p')).toEqual({ health: 'failed', message: '0/1 up; web: exited (143)' });
    expect(componentHealth([container('web', { Status: 'running', Health: { Status: 'unhealthy' } })], 'p').health).toBe('failed');
    expect(componentHealth([container('web', { Status: 'dead' }), container('m', { Status: 'exited' })], 'p').health).toBe('failed');
  });

  it('ignores one-off containers (docker compose run)', () => {
    expect(componentHealth([running('web'), container('web', { Status: 'exited', ExitCode: 2 }, { oneoff: true })], 'p').health).toBe('healthy');
  });
});
