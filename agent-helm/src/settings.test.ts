import { describe, expect, it } from 'vitest';
import { ConfigError } from '@flotilla/agent-core';
import { loadHelmSettings } from './settings.js';

describe('loadHelmSettings', () => {
  it('namespace: FLOTILLA_NAMESPACE, else the pod\'s namespace, else "default"', () => {
    expect(loadHelmSettings({ FLOTILLA_NAMESPACE: 'shop' }, () => 'pod-ns').namespace).toBe('shop');
    expect(loadHelmSettings({}, () => 'pod-ns').namespace).toBe('pod-ns');
    expect(loadHelmSettings({ FLOTILLA_NAMESPACE: '' }, () => undefined).namespace).toBe('default');
  });

  it('the agent\'s own Deployment lives in the pod\'s namespace; the helm timeout defaults to 300 s', () => {
    const s = loadHelmSettings({ FLOTILLA_NAMESPACE: 'apps', FLOTILLA_AGENT_DEPLOYMENT: 'flotilla-agent' }, () => 'flotilla');
    expect(s).toEqual({ namespace: 'apps', agentDeployment: { name: 'flotilla-agent', namespace: 'flotilla' }, helmTimeoutSeconds: 300 });
    expect(loadHelmSettings({ FLOTILLA_HELM_TIMEOUT: '45' }, () => undefined)).toMatchObject({ agentDeployment: undefined, helmTimeoutSeconds: 45 });
  });

  it('refuses bad values naming the variable', () => {
    expect(() => loadHelmSettings({ FLOTILLA_NAMESPACE: 'Not_A_Name' }, () => undefined)).toThrow(ConfigError);
    expect(() => loadHelmSettings({ FLOTILLA_NAMESPACE: 'Not_A_Name' }, () => undefined)).toThrow(/FLOTILLA_NAMESPACE must be a Kubernetes name/);
    expect(() => loadHelmSettings({ FLOTILLA_HELM_TIMEOUT: 'soon' }, () => undefined)).toThrow(/FLOTILLA_HELM_TIMEOUT must be a number of seconds/);
  });
});
