import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, wantsHelp } from './config.js';

const base = {
  FLOTILLA_HUB_URL: 'https://hub.example.com/',
  FLOTILLA_AGENT_ID: 'agent-1',
  FLOTILLA_AGENT_SECRET: 's3cret',
};

describe('loadConfig', () => {
  it('reads the environment and applies defaults', () => {
    const c = loadConfig([], base, '/srv');
    expect(c).toEqual({
      hubUrl: 'https://hub.example.com',
      agentId: 'agent-1',
      secret: 's3cret',
      stateDir: path.resolve('/srv', '.flotilla-agent'),
      logLevel: 'info',
      statusIntervalMs: 30_000,
      healthIntervalMs: 5000,
      healthTimeoutMs: 300_000,
      pollIntervalMs: 5000,
      pollAfterMs: 30_000,
      metricsIntervalMs: 30_000,
    });
  });

  it('reads the metrics interval; 0 turns metrics off', () => {
    expect(loadConfig(['--metrics-interval', '0.2'], base).metricsIntervalMs).toBe(200);
    expect(loadConfig([], { ...base, FLOTILLA_METRICS_INTERVAL: '0' }).metricsIntervalMs).toBe(0);
    expect(() => loadConfig([], { ...base, FLOTILLA_METRICS_INTERVAL: '-1' })).toThrow(/FLOTILLA_METRICS_INTERVAL \(--metrics-interval\) must be at least 0/);
  });

  it('reads the polling fallback settings; 0 turns polling off', () => {
    const c = loadConfig(['--poll-interval', '2'], { ...base, FLOTILLA_POLL_INTERVAL: '9', FLOTILLA_POLL_AFTER: '1.5' });
    expect(c.pollIntervalMs).toBe(2000);
    expect(c.pollAfterMs).toBe(1500);
    expect(loadConfig([], { ...base, FLOTILLA_POLL_AFTER: '0' }).pollAfterMs).toBe(0);
  });

  it('lets flags win over the environment', () => {
    const c = loadConfig(
      ['--hub-url', 'http://127.0.0.1:9000', '--state-dir=/var/lib/agent', '--log-level', 'debug', '--status-interval', '10', '--health-interval', '0.5', '--agent-id', 'other'],
      { ...base, FLOTILLA_LOG_LEVEL: 'warn', FLOTILLA_STATUS_INTERVAL: '99' },
      '/srv',
    );
    expect(c.hubUrl).toBe('http://127.0.0.1:9000');
    expect(c.stateDir).toBe('/var/lib/agent');
    expect(c.logLevel).toBe('debug');
    expect(c.statusIntervalMs).toBe(10_000);
    expect(c.healthIntervalMs).toBe(500);
    expect(c.agentId).toBe('other');
    expect(c.secret).toBe('s3cret');
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig([], { ...base, FLOTILLA_STATE_DIR: '', FLOTILLA_LOG_LEVEL: '' }, '/srv');
    expect(c.stateDir).toBe('/srv/.flotilla-agent');
    expect(c.logLevel).toBe('info');
  });

  it.each([
    [{ FLOTILLA_HUB_URL: undefined }, /FLOTILLA_HUB_URL \(--hub-url\) is required/],
    [{ FLOTILLA_HUB_URL: 'ftp://hub' }, /FLOTILLA_HUB_URL \(--hub-url\) must be an http:\/\/ or https:\/\/ URL/],
    [{ FLOTILLA_HUB_URL: 'not a url' }, /FLOTILLA_HUB_URL/],
    [{ FLOTILLA_AGENT_ID: '' }, /FLOTILLA_AGENT_ID \(--agent-id\) is required/],
    [{ FLOTILLA_AGENT_SECRET: undefined }, /FLOTILLA_AGENT_SECRET \(--agent-secret\) is required/],
    [{ FLOTILLA_LOG_LEVEL: 'loud' }, /FLOTILLA_LOG_LEVEL \(--log-level\) must be one of fatal, error/],
    [{ FLOTILLA_STATUS_INTERVAL: 'often' }, /FLOTILLA_STATUS_INTERVAL \(--status-interval\) must be a number of seconds/],
    [{ FLOTILLA_HEALTH_INTERVAL: '0' }, /FLOTILLA_HEALTH_INTERVAL \(--health-interval\) must be at least 0.1 seconds/],
    [{ FLOTILLA_POLL_INTERVAL: '0' }, /FLOTILLA_POLL_INTERVAL \(--poll-interval\) must be at least 1 seconds/],
    [{ FLOTILLA_POLL_INTERVAL: '2.5' }, /FLOTILLA_POLL_INTERVAL \(--poll-interval\) must be a whole number of seconds/],
    [{ FLOTILLA_POLL_AFTER: '-1' }, /FLOTILLA_POLL_AFTER \(--poll-after\) must be at least 0 seconds/],
    [{ FLOTILLA_POLL_AFTER: 'soon' }, /FLOTILLA_POLL_AFTER \(--poll-after\) must be a number of seconds/],
  ])('rejects %o with a message naming the variable', (override, message) => {
    expect(() => loadConfig([], { ...base, ...override })).toThrow(ConfigError);
    expect(() => loadConfig([], { ...base, ...override })).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(() => loadConfig([], {})).toThrow(/FLOTILLA_HUB_URL.*FLOTILLA_AGENT_ID.*FLOTILLA_AGENT_SECRET/);
  });

  it('rejects unknown flags and positionals', () => {
    expect(() => loadConfig(['--nope'], base)).toThrow(/Invalid command line/);
    expect(() => loadConfig(['extra'], base)).toThrow(ConfigError);
  });

  it('detects --help', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--hub-url', 'x'])).toBe(false);
  });
});
