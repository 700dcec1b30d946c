import { describe, expect, it } from 'vitest';
import { dockerEnvironment, projectName } from './project.js';

describe('projectName', () => {
  it('is flt-<first 8 chars of the installation>-<component>, lowercase', () => {
    expect(projectName('3F2504E0-4F89-11D3-9A0C-0305E82C3301', 'web')).toBe('flt-3f2504e0-web');
    expect(projectName('abc', 'api_v2')).toBe('flt-abc-api_v2');
  });

  it('differs between installations on one host', () => {
    expect(projectName('11111111-aaaa', 'web')).not.toBe(projectName('22222222-aaaa', 'web'));
  });
});

describe('dockerEnvironment', () => {
  it('keeps what the docker CLIs need and drops the agent settings', () => {
    expect(
      dockerEnvironment({
        PATH: '/bin',
        HOME: '/root',
        DOCKER_HOST: 'unix:///var/run/docker.sock',
        HTTPS_PROXY: 'http://proxy',
        FLOTILLA_AGENT_SECRET: 'nope',
        PORT: '80',
        UNSET: undefined,
      }),
    ).toEqual({ PATH: '/bin', HOME: '/root', DOCKER_HOST: 'unix:///var/run/docker.sock', HTTPS_PROXY: 'http://proxy' });
  });
});
