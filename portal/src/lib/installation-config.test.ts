import { describe, expect, it } from 'vitest';
import { configBody, draftsOf } from './installation-config';

const config = {
  installationId: 'i',
  agentKind: 'compose' as const,
  components: [{ component: 'api', env: { LOG: 'debug' }, secrets: [{ name: 'PW', set: true as const }, { name: 'OLD', set: true as const }], helmValues: null }],
};

describe('installation configuration form', () => {
  it('sends env values, and only the secrets that change', () => {
    const [d] = draftsOf(config);
    if (!d) throw new Error('no draft');
    expect(configBody([d], 'compose')).toEqual({ components: { api: { env: { LOG: 'debug' } } } });
    d.env.push({ name: ' NEW ', value: 'x' }, { name: '', value: 'ignored' });
    d.secrets[0] = { name: 'PW', action: 'replace', value: 'p2' };
    d.secrets[1] = { name: 'OLD', action: 'remove', value: '' };
    d.newSecrets.push({ name: 'TOKEN', value: 't' });
    expect(configBody([d], 'compose')).toEqual({ components: { api: { env: { LOG: 'debug', NEW: 'x' }, secrets: { PW: 'p2', OLD: null, TOKEN: 't' } } } });
  });

  it('sends a helm override, or null to remove it', () => {
    const [d] = draftsOf({ ...config, agentKind: 'helm', components: [{ component: 'chart', env: {}, secrets: [], helmValues: 'a: 1\n' }] });
    if (!d) throw new Error('no draft');
    expect(configBody([d], 'helm')).toEqual({ components: { chart: { helmValues: 'a: 1\n' } } });
    d.helmValues = '  ';
    expect(configBody([d], 'helm')).toEqual({ components: { chart: { helmValues: null } } });
  });
});
