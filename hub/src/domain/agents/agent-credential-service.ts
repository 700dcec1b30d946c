import { randomBytes } from 'node:crypto';
import type { AgentCredentials } from '@flotilla/protocol';
import { AppError } from '../../errors.js';
import type { Notifier } from '../shared/notifier.js';
import type { Scope } from '../access/roles.js';
import { randomToken, sha256, sha256Hex } from '../shared/tokens.js';
import type { InstallationService } from '../installations/installation-service.js';
import type { AgentRepository } from './agent-repository.js';
import { composeAgentManifest, composeInstallCommand } from './install-manifest.js';
import { helmAgentManifest, helmInstallCommand } from './helm-agent-manifest.js';

export interface CredentialSettings {
  /** The URL agents are told to connect to. */
  publicUrl: string;
  /** PUBLIC_URL was set; otherwise `publicUrl` is the hub's guess (http://localhost:<port>). */
  publicUrlConfigured: boolean;
  agentComposeImage: string;
  agentHelmImage: string;
  installTokenTtlMs: number;
}

export class AgentCredentialService {
  constructor(
    private readonly agents: AgentRepository,
    private readonly installations: InstallationService,
    private readonly notifier: Notifier,
    private readonly settings: CredentialSettings,
  ) {}

  /**
   * Creates or rotates the agent's id and 256-bit secret (shown once; only its SHA-256 is kept) and
   * a single-use install URL. Rotation drops the old agent's live connection at once.
   */
  async issue(scope: Scope, installationId: string): Promise<AgentCredentials> {
    const installation = await this.installations.row(scope, installationId);
    const vendorId = scope.vendorId;
    const agentId = `agt_${randomBytes(12).toString('hex')}`;
    const secret = randomToken('fas_');
    const replaced = await this.agents.replaceCredentials(vendorId, installationId, agentId, sha256(secret));
    if (replaced) this.notifier.disconnectAgent(replaced);
    // The installation's agentId changed: pages waiting for an agent follow it live.
    await this.installations.changed(vendorId, installationId);

    const token = randomToken();
    const expiresAt = new Date(Date.now() + this.settings.installTokenTtlMs);
    await this.agents.createInstallToken({ tokenHash: sha256Hex(token), vendorId, installationId, agentId, secret, expiresAt });
    const installUrl = `${this.settings.publicUrl}/api/v1/agent/install/${token}`;
    return {
      agentId,
      secret,
      installUrl,
      installCommand: installation.agent_kind === 'helm' ? helmInstallCommand(installUrl) : composeInstallCommand(installUrl, projectName(installation.id)),
      expiresAt: expiresAt.toISOString(),
      hubUrl: this.settings.publicUrl,
      hubUrlConfigured: this.settings.publicUrlConfigured,
    };
  }

  /** The agent's compose file, once per token. */
  async installManifest(token: string): Promise<string> {
    const found = await this.agents.consumeInstallToken(sha256Hex(token));
    if (!found) throw new AppError('NOT_FOUND', 'Install link not found: it was already used or has expired; issue new agent credentials');
    const installation = await this.installations.row({ vendorId: found.vendorId, customerId: null }, found.installationId);
    if (installation.agent_kind === 'helm') {
      return helmAgentManifest({
        hubUrl: this.settings.publicUrl,
        agentId: found.agentId,
        secret: found.secret,
        image: this.settings.agentHelmImage,
        namespace: 'flotilla',
        installationName: installation.name,
        clusterScoped: installation.cluster_scoped,
      });
    }
    return composeAgentManifest({
      hubUrl: this.settings.publicUrl,
      agentId: found.agentId,
      secret: found.secret,
      image: this.settings.agentComposeImage,
      installationName: installation.name,
      customerName: installation.customer_name,
      projectName: projectName(installation.id),
    });
  }
}

function projectName(installationId: string): string {
  return `flotilla-agent-${installationId.slice(0, 8)}`;
}
