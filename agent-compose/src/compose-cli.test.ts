import { describe, expect, it } from 'vitest';
import { DriverError } from '@flotilla/agent-core';
import { composeArgs, describeCompose, detectCompose } from './compose-cli.js';
import type { Exec, ExecResult } from '@flotilla/agent-core';

const ok = (stdout: string): ExecResult => ({ code: 0, stdout, stderr: '' });
const fail = (stderr: string, code = 1): ExecResult => ({ code, stdout: '', stderr });

function fakeExec(answers: Record<string, ExecResult>): { exec: Exec; calls: string[] } {
  const calls: string[] = [];
  const exec: Exec = (command, args) => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    return Promise.resolve(answers[line] ?? fail(`${command}: not found`, 127));
  };
  return { exec, calls };
}

const bins = { docker: 'docker', dockerComposeV1: 'docker-compose' };

describe('detectCompose', () => {
  it('prefers the docker compose v2 plugin', async () => {
    const { exec, calls } = fakeExec({ 'docker compose version --short': ok('2.36.0\n') });
    const cli = await detectCompose(exec, bins, {});
    expect(cli).toEqual({ variant: 'v2', command: 'docker', prefix: ['compose'], version: '2.36.0' });
    expect(calls).toEqual(['docker compose version --short']);
    expect(describeCompose(cli)).toBe('compose v2.36.0');
    expect(composeArgs(cli, 'p', '/f.yaml', '/.env', ['up', '-d'])).toEqual(['compose', '-p', 'p', '-f', '/f.yaml', '--env-file', '/.env', 'up', '-d']);
  });

  it('falls back to docker-compose v1 with the same flags', async () => {
    const { exec } = fakeExec({
      'docker compose version --short': fail("docker: 'compose' is not a docker command."),
      'docker-compose version --short': ok('1.29.2\n'),
    });
    const cli = await detectCompose(exec, bins, {});
    expect(cli).toEqual({ variant: 'v1', command: 'docker-compose', prefix: [], version: '1.29.2' });
    expect(describeCompose(cli)).toBe('docker-compose v1.29.2');
    expect(composeArgs(cli, 'p', '/f.yaml', '/.env', ['down'])).toEqual(['-p', 'p', '-f', '/f.yaml', '--env-file', '/.env', 'down']);
  });

  it('fails clearly when neither is installed', async () => {
    const { exec } = fakeExec({});
    await expect(detectCompose(exec, bins, {})).rejects.toThrow(DriverError);
    await expect(detectCompose(exec, bins, {})).rejects.toThrow(/neither "docker compose" \(v2 plugin\) nor "docker-compose" \(v1\)/);
  });
});
