import { describe, expect, it } from 'vitest';
import { cliEnvironment } from './cli-env.js';

describe('cliEnvironment', () => {
  it('passes what helm and kubectl use, never the agent\'s own settings, and gives them writable homes', () => {
    const env = cliEnvironment(
      { PATH: '/bin', KUBECONFIG: '/k', KUBERNETES_SERVICE_HOST: '10.0.0.1', HELM_DEBUG: '1', FLOTILLA_AGENT_SECRET: 'fas_x', FLOTILLA_HUB_URL: 'https://hub' },
      '/state',
    );
    expect(env).toEqual({
      PATH: '/bin',
      KUBECONFIG: '/k',
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      HELM_DEBUG: '1',
      HELM_CACHE_HOME: '/state/helm/cache',
      HELM_CONFIG_HOME: '/state/helm/config',
      HELM_DATA_HOME: '/state/helm/data',
      KUBECACHEDIR: '/state/kube-cache',
    });
  });
});
