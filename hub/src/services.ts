import type { AppConfig } from './app.js';
import type { WebhookAttemptOutcome } from './infra/metrics.js';
import type { Infra } from './infra/index.js';
import type { Logger } from './logger.js';
import type { Notifier } from './domain/shared/notifier.js';
import type { DesiredState } from '@flotilla/protocol';
import { createSecretBox } from './infra/secret-box.js';
import { AuthRepository } from './domain/auth/auth-repository.js';
import { AuthService } from './domain/auth/auth-service.js';
import { TokenRepository } from './domain/auth/token-repository.js';
import { TokenService } from './domain/auth/token-service.js';
import { AuditService } from './domain/audit/audit-service.js';
import { MemberRepository } from './domain/members/member-repository.js';
import { MemberService } from './domain/members/member-service.js';
import { ReleaseRepository } from './domain/releases/release-repository.js';
import { ReleaseService } from './domain/releases/release-service.js';
import { EntitlementService } from './domain/releases/entitlements.js';
import { FleetService } from './domain/releases/fleet-summary.js';
import { RolloutRepository } from './rollouts/rollout-repository.js';
import { RolloutEngine } from './rollouts/engine.js';
import { RolloutService } from './rollouts/rollout-service.js';
import { SteppedDeploy } from './rollouts/stepped-deploy.js';
import type { Mailer } from './infra/mailer.js';
import { NotificationRepository } from './domain/notifications/notification-repository.js';
import { NotificationService } from './domain/notifications/notification-service.js';
import { ApplicationRepository } from './domain/applications/application-repository.js';
import { ApplicationService } from './domain/applications/application-service.js';
import { CustomerRepository, CustomerService } from './domain/customers/customer-service.js';
import { InstallationRepository, toStatus } from './domain/installations/installation-repository.js';
import { InstallationService } from './domain/installations/installation-service.js';
import { UptimeRepository } from './domain/installations/uptime-repository.js';
import { UptimeService } from './domain/installations/uptime-service.js';
import { UptimeRollup } from './domain/installations/uptime-rollup.js';
import { MetricsRepository } from './domain/installations/metrics-repository.js';
import { MetricsRollup, MetricsService } from './domain/installations/metrics-service.js';
import { DesiredStateRepository } from './domain/installations/desired-state-repository.js';
import { InstallationConfigRepository } from './domain/desired-state/config-repository.js';
import { InstallationConfigService } from './domain/desired-state/config-service.js';
import { agentCopy } from './domain/desired-state/agent-copy.js';
import { DeployService } from './domain/installations/deploy-service.js';
import { UninstallService } from './domain/installations/uninstall-service.js';
import { AgentRepository } from './domain/agents/agent-repository.js';
import { AgentCredentialService } from './domain/agents/agent-credential-service.js';
import { AgentSessionService } from './domain/agents/agent-session-service.js';
import { CommandRepository } from './domain/commands/command-repository.js';
import { CommandService } from './domain/commands/command-service.js';
import type { ShippedAgentImages } from './domain/commands/agent-update.js';
import { BrandingRepository } from './domain/branding/branding-repository.js';
import { BrandingService } from './domain/branding/branding-service.js';
import { LicenseRepository } from './domain/licenses/license-repository.js';
import { LicenseService } from './domain/licenses/license-service.js';
import { WebhookRepository } from './domain/webhooks/webhook-repository.js';
import { WebhookDelivery } from './domain/webhooks/webhook-delivery.js';
import { WebhookService } from './domain/webhooks/webhook-service.js';
import { EventOutbox } from './domain/webhooks/event-outbox.js';
import { AlertService } from './domain/alerts/alert-service.js';
import { SupportBundleRepository } from './domain/support-bundles/support-bundle-repository.js';
import { SupportBundleService } from './domain/support-bundles/support-bundle-service.js';

export type Services = ReturnType<typeof createServices>;

/** Wires repositories and services; pure construction, no I/O. */
/** How long agent events gather before they advance a rollout (a step later by this much, at most). */
const AGENT_EVENT_DEBOUNCE_MS = 200;

/** What services report to the process's metrics (counters fed where things happen). */
export interface ServiceObservers {
  webhookAttempt?: (outcome: WebhookAttemptOutcome, seconds: number) => void;
}

export function createServices(config: AppConfig, infra: Infra, notifier: Notifier, log: Logger, mailer: Mailer | undefined, observers: ServiceObservers = {}) {
  const authRepo = new AuthRepository(infra.db);
  const applicationRepo = new ApplicationRepository(infra.db);
  // One key seals every secret the hub must read again (SECRETS_KEY, or embedded mode's generated one).
  const secretBox = createSecretBox(config.secretsKey);
  const configRepo = new InstallationConfigRepository(infra.db, secretBox);
  const installationRepo = new InstallationRepository(infra.db, configRepo);
  const desiredRepo = new DesiredStateRepository(infra.db);
  /** The copy of a desired state an agent gets: its secrets opened (only ever on the way to the agent). */
  const forAgent = (state: DesiredState): DesiredState => agentCopy(state, (sealed) => secretBox.open(sealed));
  const agentRepo = new AgentRepository(infra.db, secretBox);
  const shippedAgents: ShippedAgentImages = { compose: config.agentComposeImage, helm: config.agentHelmImage };

  const tokenRepo = new TokenRepository(infra.db);
  const auth = new AuthService(authRepo, tokenRepo, infra.rateLimiters, config.signupEnabled, { mailer, publicUrl: config.publicUrl });
  const tokens = new TokenService(tokenRepo);
  const audit = new AuditService(infra.db);
  const applications = new ApplicationService(applicationRepo);
  const customers = new CustomerService(new CustomerRepository(infra.db));
  const uptimeRepo = new UptimeRepository(infra.db);
  const uptimeRollup = new UptimeRollup(infra.db, uptimeRepo, { retentionDays: config.uptimeRetentionDays });
  const installations = new InstallationService(installationRepo, customers, notifier, (scope, trackId) => (scope.customerId === null ? releaseRepo.getTrack(scope.vendorId, trackId).then((t) => t !== undefined) : entitlements.entitledTrackIds(scope.vendorId, scope.customerId).then((ids) => ids.has(trackId))), shippedAgents, new UptimeService(uptimeRepo));
  const releaseRepo = new ReleaseRepository(infra.db);

  const credentials = new AgentCredentialService(agentRepo, installations, notifier, config);
  const branding = new BrandingService(new BrandingRepository(infra.db), config.publicUrl);
  const members = new MemberService(
    new MemberRepository(infra.db),
    authRepo,
    auth,
    tokenRepo,
    customers,
    notifier,
    { publicUrl: config.publicUrl, mailer, mailIdentity: (vendorId) => branding.mailIdentity(vendorId) },
    infra.rateLimiters,
    log.child({ component: 'members' }),
  );
  const entitlements = new EntitlementService(infra.db);
  const licenses = new LicenseService(new LicenseRepository(infra.db), notifier, config.licenseKeySecret ?? config.secretsKey, log.child({ component: 'licenses' }));
  const releases = new ReleaseService(releaseRepo, entitlements);
  const fleet = new FleetService(infra.db);
  const rolloutRepo = new RolloutRepository(infra.db);
  const rolloutEngine = new RolloutEngine(infra.db, rolloutRepo, releaseRepo, applicationRepo, desiredRepo, infra.queues, notifier, log.child({ component: 'rollouts' }), configRepo);
  const stepped = new SteppedDeploy(infra.db, releaseRepo, entitlements, rolloutRepo, rolloutEngine);
  const deploys = new DeployService(applicationRepo, releaseRepo, releases, desiredRepo, installations, notifier, licenses, stepped, configRepo);
  const commandRepo = new CommandRepository(infra.db);
  const commands = new CommandService(commandRepo, installations, desiredRepo, notifier, shippedAgents, log.child({ component: 'commands' }));
  const metricsRepo = new MetricsRepository(infra.db);
  const metrics = new MetricsService(metricsRepo, installations);
  const metricsRollup = new MetricsRollup(metricsRepo);
  const agentSessions = new AgentSessionService(agentRepo, installationRepo, desiredRepo, notifier, infra.rateLimiters, log.child({ component: 'agents' }), commands, shippedAgents, licenses, metricsRepo, forAgent);

  /** Shows installations whose sessions were closed in bulk with their new status (one read for all). */
  async function notifyStatusOf(installationIds: string[]): Promise<void> {
    for (const row of await installationRepo.getManyAnyVendor(installationIds)) {
      notifier.installationStatus({ vendorId: row.vendor_id, customerId: row.customer_id }, toStatus(row, shippedAgents));
    }
  }

  /** Sessions held by hub processes that stopped (crashed, or this one shutting down) are closed, and their installations shown offline. */
  async function closeSessionsOfDeadNodes(nodeIds: string[], reason = 'hub process stopped responding'): Promise<void> {
    await notifyStatusOf(await agentRepo.closeSessionsOfNodes(nodeIds, reason));
  }

  /** Agents that stopped polling go offline (the websocket equivalent is the disconnect event). */
  async function closeExpiredPollSessions(): Promise<number> {
    const affected = await agentSessions.closeExpiredPollSessions();
    await notifyStatusOf(affected);
    return affected.length;
  }

  const rollouts = new RolloutService(infra.db, rolloutRepo, releaseRepo, entitlements, rolloutEngine, notifier, licenses);
  const uninstalls = new UninstallService(
    infra.db,
    installations,
    installationRepo,
    commands,
    commandRepo,
    { repo: rolloutRepo, trigger: (id) => rolloutEngine.trigger(id) },
    notifier,
    log.child({ component: 'uninstall' }),
  );
  commands.onFinished((command) => uninstalls.commandFinished(command));
  // Any agent event may move a rollout (a stage became healthy, an agent came back): advance it,
  // shortly, so that the events of many agents share one advance.
  agentSessions.onInstallationChanged(async (installationIds) => {
    const rolloutIds = await rolloutRepo.activeForMany(installationIds);
    await Promise.all(rolloutIds.map((id) => rolloutEngine.trigger(id, AGENT_EVENT_DEBOUNCE_MS)));
  });

  const webhookRepo = new WebhookRepository(infra.db, secretBox);
  const webhookDelivery = new WebhookDelivery(webhookRepo, infra.queues, config.webhooks, audit, mailer, log.child({ component: 'webhooks' }), observers.webhookAttempt);
  const webhooks = new WebhookService(webhookRepo, webhookDelivery);
  const alerts = new AlertService(infra.db, shippedAgents, log.child({ component: 'alerts' }), notifier);
  const notifications = new NotificationService(infra.db, new NotificationRepository(infra.db), mailer, (vendorId) => branding.mailIdentity(vendorId), config.notifyDigestSeconds, log.child({ component: 'notifications' }));
  // Each event once, to both: webhook deliveries and e-mail notifications are written with the outbox's cursor.
  const eventOutbox = new EventOutbox(infra.db, async (trx, events) => {
    await notifications.enqueue(trx, events);
    return webhookDelivery.dispatch(trx, events);
  });

  const supportBundles = new SupportBundleService(new SupportBundleRepository(infra.db), installations, notifier, config.supportBundles, log.child({ component: 'support-bundles' }));
  const installationConfig = new InstallationConfigService(configRepo, installations, secretBox.encrypting);

  return {
    desiredStates: desiredRepo,
    forAgent,
    installationConfig,
    supportBundles,
    webhooks,
    alerts,
    notifications,
    webhookDelivery,
    eventOutbox,
    auth,
    rollouts,
    rolloutEngine,
    tokens,
    audit,
    members,
    branding,
    releases,
    entitlements,
    licenses,
    fleet,
    applications,
    customers,
    installations,
    uninstalls,
    deploys,
    credentials,
    agentSessions,
    commands,
    uptimeRollup,
    metrics,
    metricsRollup,
    closeSessionsOfDeadNodes,
    closeExpiredPollSessions,
    purgeExpiredInstallSecrets: () => agentRepo.purgeExpiredInstallSecrets(),
    sealPlaintextSecrets: () => webhookRepo.sealPlaintextSecrets(),
  };
}
