import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('uses embedded defaults when nothing is set', () => {
    const c = loadConfig({}, '/srv/flotilla');
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:8080',
      publicUrlConfigured: false,
      databaseUrl: undefined,
      redisUrl: undefined,
      dataDir: path.resolve('/srv/flotilla', '.flotilla'),
      logLevel: 'info',
      workers: true,
    });
  });

  it('reads production settings', () => {
    const c = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u:p@db:5432/flotilla',
      REDIS_URL: 'redis://cache:6379',
      PUBLIC_URL: 'https://hub.example.com/',
      LOG_LEVEL: 'warn',
      DATA_DIR: '/var/lib/flotilla',
      WORKERS: 'false',
    });
    expect(c).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://u:p@db:5432/flotilla',
      redisUrl: 'redis://cache:6379',
      publicUrl: 'https://hub.example.com',
      publicUrlConfigured: true,
      logLevel: 'warn',
      dataDir: '/var/lib/flotilla',
      workers: false,
    });
  });

  it('keeps 35 days of uptime roll-ups unless told otherwise', () => {
    expect(loadConfig({}).uptimeRetentionDays).toBe(35);
    expect(loadConfig({ UPTIME_RETENTION_DAYS: '400' }).uptimeRetentionDays).toBe(400);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: '', PORT: '9001' })).toMatchObject({ publicUrl: 'http://localhost:9001', publicUrlConfigured: false });
  });

  it.each([
    ['PORT', 'eighty', 'PORT'],
    ['PORT', '70000', 'PORT'],
    ['DATABASE_URL', 'mysql://x/y', 'DATABASE_URL: must be a URL starting with postgres:// or postgresql://'],
    ['REDIS_URL', 'localhost:6379', 'REDIS_URL: must be a URL starting with redis:// or rediss://'],
    ['PUBLIC_URL', 'hub.example.com', 'PUBLIC_URL'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
    ['WORKERS', 'maybe', 'WORKERS: must be true or false'],
    ['UPTIME_RETENTION_DAYS', '30', 'UPTIME_RETENTION_DAYS'],
    ['SECRETS_KEY', 'too-short', 'SECRETS_KEY: at least 32 characters'],
  ])('rejects %s=%s with a message naming it', (key, value, expected) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(expected);
  });

  it('reads SECRETS_KEY (unset: embedded mode generates one at start)', () => {
    expect(loadConfig({}).secretsKey).toBeUndefined();
    expect(loadConfig({ SECRETS_KEY: 'x'.repeat(32) }).secretsKey).toBe('x'.repeat(32));
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT.*LOG_LEVEL/);
  });
});
