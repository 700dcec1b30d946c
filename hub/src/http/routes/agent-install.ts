import Router from '@koa/router';
import type { AgentCredentialService } from '../../domain/agents/agent-credential-service.js';
import type { AuthState } from '../auth.js';
import { param } from '../validate.js';

/** `GET /agent/install/:token`: the agent's compose file, once. No session needed: the token is the credential. */
export function agentInstallRoutes(credentials: AgentCredentialService): Router<AuthState> {
  const router = new Router<AuthState>();
  router.get('/agent/install/:token', async (ctx) => {
    const manifest = await credentials.installManifest(param(ctx, 'token'));
    ctx.type = 'application/yaml';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = manifest;
  });
  return router;
}
