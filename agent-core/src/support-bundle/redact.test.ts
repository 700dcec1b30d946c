import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACT_PATTERNS, REDACTED, type DesiredComponent } from '@flotilla/protocol';
import { envFileEntries, Redactor, secretValuesOf } from './redact.js';

const patterns = [...DEFAULT_REDACT_PATTERNS];

describe('Redactor', () => {
  it('redacts values of matching keys in env files, YAML and log lines, and leaves the others', () => {
    const r = new Redactor(patterns, []);
    const out = r.text('DB_PASSWORD=hunter2\nPORT=8080\n  api_token: "abc def"\nlevel=info msg="started" secret_key=xyz\n');
    expect(out.value).toBe(`DB_PASSWORD=${REDACTED}\nPORT=8080\n  api_token: "${REDACTED}"\nlevel=info msg="started" secret_key=${REDACTED}\n`);
    expect(out.count).toBe(3);
  });

  it('does not take the next line as the value of a YAML mapping key', () => {
    const r = new Redactor(patterns, []);
    expect(r.text('secrets:\n  - name: db\n').value).toBe('secrets:\n  - name: db\n');
  });

  it('redacts docker inspect Env entries whole (spaces included), matching JSON keys and {name, value} pairs', () => {
    const r = new Redactor(patterns, []);
    const out = r.json({ Config: { Env: ['DB_PASSWORD=two words', 'PATH=/bin'], Labels: { 'com.docker.compose.project': 'p' } }, auth: { password: 'pw', user: 'me' }, env: [{ name: 'API_TOKEN', value: 't0k3n!' }, { name: 'MODE', value: 'prod' }] });
    const parsed = JSON.parse(out.value) as Record<string, never>;
    expect(parsed).toEqual({
      Config: { Env: [`DB_PASSWORD=${REDACTED}`, 'PATH=/bin'], Labels: { 'com.docker.compose.project': 'p' } },
      auth: { password: REDACTED, user: 'me' },
      env: [{ name: 'API_TOKEN', value: REDACTED }, { name: 'MODE', value: 'prod' }],
    });
    expect(out.count).toBe(3);
    expect(out.value).not.toContain('two words');
    expect(out.value).not.toContain('t0k3n!');
  });

  it('replaces every secret value wherever it appears, longest first, also JSON-escaped', () => {
    const r = new Redactor(patterns, ['s3cr3t-value', 's3cr3t-value-longer', 'quo"te\\d']);
    const text = r.text('connected with s3cr3t-value-longer and s3cr3t-value twice: s3cr3t-value');
    expect(text.value).toBe(`connected with ${REDACTED} and ${REDACTED} twice: ${REDACTED}`);
    expect(text.count).toBe(3);
    const json = r.json({ note: 'x quo"te\\d y' });
    expect(json.value).not.toContain('quo');
    expect(json.value).toContain(REDACTED);
  });

  it('does not search for values too short to be told from ordinary text', () => {
    const r = new Redactor(patterns, ['ab']);
    expect(r.secretCount).toBe(0);
    expect(r.text('about a cab').value).toBe('about a cab');
  });

  it('takes configured patterns as case-insensitive regular expressions', () => {
    const r = new Redactor(['^license_', 'dsn$'], []);
    expect(r.keyMatches('LICENSE_CODE')).toBe(true);
    expect(r.keyMatches('MY_LICENSE_CODE')).toBe(false);
    expect(r.keyMatches('SENTRY_DSN')).toBe(true);
    expect(r.keyMatches('DB_PASSWORD')).toBe(false);
  });
});

describe('secretValuesOf', () => {
  it('collects per-installation secrets by secretKeys, and values of matching keys from environment and env file', () => {
    const components: DesiredComponent[] = [
      {
        name: 'web',
        kind: 'compose',
        version: '1',
        stage: 1,
        spec: { file: 'services: {}', env: 'export SMTP_PASSWORD="mail-pass"\n# LICENSE=ignored\nLICENSE_CODE=LIC-1234\nPORT=80\n', environment: { LICENSE_CODE: 'LIC-1234', FEATURE: 'on', API_KEY: 'key-5678' }, secretKeys: ['LICENSE_CODE'] },
      },
      { name: 'chart', kind: 'helm', version: '1', stage: 1, spec: { chart: 'c', chartVersion: '1', credentials: { username: 'u', password: 'registry-pass' } } },
    ];
    const values = secretValuesOf(components, new Redactor(patterns, []));
    expect([...values].sort()).toEqual(['LIC-1234', 'key-5678', 'mail-pass', 'registry-pass']);
  });

  it('reads env files like compose does', () => {
    expect(envFileEntries('A=1\n\n# c\nexport B = "two"\nC\n')).toEqual([['A', '1'], ['B', 'two']]);
  });
});
