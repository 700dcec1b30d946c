import { describe, expect, it } from 'vitest';
import { AgentHello, DesiredState, ERROR_STATUS, ErrorBody, ErrorCode, StatusReport, agentToHubSchemas, statusOf, summarizeIssues } from './index.js';

describe('error catalogue', () => {
  it('gives every code an HTTP status', () => {
    for (const code of ErrorCode.options) expect(statusOf(code)).toBe(ERROR_STATUS[code]);
    expect(statusOf('VALIDATION_FAILED')).toBe(400);
    expect(statusOf('NOT_FOUND')).toBe(404);
    expect(statusOf('RATE_LIMITED')).toBe(429);
  });

  it('parses the wire error shape and refuses unknown codes', () => {
    expect(ErrorBody.safeParse({ error: { code: 'CONFLICT', message: 'locked' } }).success).toBe(true);
    expect(ErrorBody.safeParse({ error: { code: 'TEAPOT', message: 'x' } }).success).toBe(false);
  });
});

describe('agent payloads', () => {
  const since = new Date().toISOString();

  it('accept a well-formed hello and status report', () => {
    expect(AgentHello.parse({ host: { hostname: 'h', os: 'linux', arch: 'x64' }, appliedRevision: 0, components: [] })).toBeTruthy();
    expect(StatusReport.parse({ revision: 3, components: [{ name: 'web', version: '1.0.0', health: 'healthy', since }] })).toBeTruthy();
  });

  it('refuse bad health values and negative revisions with readable messages', () => {
    const r = StatusReport.safeParse({ revision: -1, components: [{ name: 'web', version: '1', health: 'fine', since }] });
    expect(r.success).toBe(false);
    if (!r.success) expect(summarizeIssues(r.error.issues)).toMatch(/revision: .*components\.0\.health: /);
  });

  it('tell compose and helm components apart by kind', () => {
    const ok = DesiredState.safeParse({
      installationId: 'i',
      revision: 1,
      components: [
        { name: 'db-migrate', kind: 'compose', version: '1', stage: 1, spec: { file: 'services: {}' } },
        { name: 'api', kind: 'helm', version: '2', stage: 2, spec: { chart: 'api', chartVersion: '2.0.0' } },
      ],
    });
    expect(ok.success).toBe(true);
    const bad = DesiredState.safeParse({ installationId: 'i', revision: 1, components: [{ name: 'api', kind: 'helm', version: '2', stage: 1, spec: { file: 'x' } }] });
    expect(bad.success).toBe(false);
  });

  it('has a schema for every agent → hub event', () => {
    expect(Object.keys(agentToHubSchemas).sort()).toEqual(['agent:hello', 'bundle:chunk', 'bundle:end', 'bundle:failed', 'command:progress', 'logs:chunk', 'logs:stream', 'status:report']);
  });
});
