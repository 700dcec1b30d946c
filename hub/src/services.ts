import type { AppConfig } from './app.js';
import type { RolloutStepPhase, WebhookAttemptOutcome } from './infra/metrics.js';
import type { BatchFlushObserver } from './domain/shared/batcher.js';
import type { Infra } from './infra/index.js';
import type { Logger } from './logger.js';
import type { Notifier } from './domain/shared/notifier.js';
import type { SecretBox } from './infra/secret-box.js';
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
import { advanceRolloutsOnAgentEvents } from './rollouts/advance-on-agent-events.js';
import { SteppedDeploy } from './rollouts/stepped-deploy.js';
import type { Mailer } from './infra/mailer.js';
import { NotificationRepository } from './domain/notifications/notification-repository.js';
import { NotificationService } from './domain/notifications/notification-service.js';
import { ApplicationRepository } from './domain/applications/application-repository.js';
import { ApplicationService } from './domain/applications/application-service.js';
import { CustomerRepository, CustomerService } from './domain/customers/customer-service.js';
import { InstallationRepository } from './domain/installations/installation-repository.js';
import { InstallationService } from './domain/installations/installation-service.js';
import { UptimeRepository } from './domain/installations/uptime-repository.js';
import { UptimeService } from './domain/installations/uptime-service.js';
import { UptimeRollup } from './domain/installations/uptime-rollup.js';
import { MetricsRepository } from './domain/installations/metrics-repository.js';
import { MetricsRollup, MetricsService } from './domain/installations/metrics-service.js';
import { DesiredStateRepository } from './domain/installations/desired-state-repository.js';
import { InstallationConfigRepository } from './domain/desired-state/config-repository.js';
import { InstallationConfigService } from './domain/desired-state/config-service.js';
import { agentCopyWith } from './domain/desired-state/agent-copy.js';
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
import { EventOutbox, toNotificationsAndWebhooks } from './domain/webhooks/event-outbox.js';
import { AlertService } from './domain/alerts/alert-service.js';
import { SupportBundleRepository } from './domain/support-bundles/support-bundle-repository.js';
import { SupportBundleService } from './domain/support-bundles/support-bundle-service.js';

export type Services = ReturnType<typeof createServices>;

/** What services report to the process's metrics (counters fed where things happen). */
export interface ServiceObservers {
  webhookAttempt?: (outcome: WebhookAttemptOutcome, seconds: number) => void;
  rolloutStep?: (phase: RolloutStepPhase, seconds: number) => void;
  /** Each flush of the agents' connect-path batches (which one queues in a storm). */
  batchFlush?: BatchFlushObserver;
}

/**
 * Wires repositories and services: constructs them and connects their listeners, nothing else (no
 * behaviour lives here, no I/O). `secretBox` seals every secret the hub must read again; it is made
 * by the caller, which also hands it to the agent outbox (behind `notifier`).
 */
export function createServices(config: AppConfig, infra: Infra, secretBox: SecretBox, notifier: Notifier, log: Logger, mailer: Mailer | undefined, observers: ServiceObservers = {}) {
  const authRepo = new AuthRepository(infra.db);
  const applicationRepo = new ApplicationRepository(infra.db);
  const configRepo = new InstallationConfigRepository(infra.db, secretBox);
  const installationRepo = new InstallationRepository(infra.db, configRepo);
  const desiredRepo = new DesiredStateRepository(infra.db);
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
  const releaseRepo = new ReleaseRepository(infra.db);
  const entitlements = new EntitlementService(infra.db);
  const releases = new ReleaseService(releaseRepo, entitlements);
  const installations = new InstallationService(installationRepo, customers, notifier, releases, shippedAgents, new UptimeService(uptimeRepo));

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
  const licenses = new LicenseService(new LicenseRepository(infra.db), notifier, config.licenseKeySecret ?? config.secretsKey, log.child({ component: 'licenses' }));
  const fleet = new FleetService(infra.db);
  const rolloutRepo = new RolloutRepository(infra.db);
  const rolloutEngine = new RolloutEngine(infra.db, rolloutRepo, releaseRepo, applicationRepo, desiredRepo, infra.queues, notifier, log.child({ component: 'rollouts' }), configRepo, observers.rolloutStep);
  const stepped = new SteppedDeploy(infra.db, releaseRepo, entitlements, rolloutRepo, rolloutEngine);
  const deploys = new DeployService(applicationRepo, releaseRepo, releases, desiredRepo, installations, notifier, licenses, stepped, configRepo);
  const commandRepo = new CommandRepository(infra.db);
  const commands = new CommandService(commandRepo, installations, desiredRepo, notifier, shippedAgents, log.child({ component: 'commands' }), observers.batchFlush);
  const metricsRepo = new MetricsRepository(infra.db);
  const metrics = new MetricsService(metricsRepo, installations);
  const metricsRollup = new MetricsRollup(metricsRepo);
  const agentSessions = new AgentSessionService(agentRepo, installationRepo, desiredRepo, notifier, infra.rateLimiters, log.child({ component: 'agents' }), commands, shippedAgents, licenses, metricsRepo, agentCopyWith(secretBox), observers.batchFlush);

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
  advanceRolloutsOnAgentEvents(agentSessions, rolloutRepo, rolloutEngine);

  const webhookRepo = new WebhookRepository(infra.db, secretBox);
  const webhookDelivery = new WebhookDelivery(webhookRepo, infra.queues, config.webhooks, audit, mailer, log.child({ component: 'webhooks' }), observers.webhookAttempt);
  const webhooks = new WebhookService(webhookRepo, webhookDelivery);
  const alerts = new AlertService(infra.db, shippedAgents, log.child({ component: 'alerts' }), notifier);
  const notifications = new NotificationService(infra.db, new NotificationRepository(infra.db), mailer, (vendorId) => branding.mailIdentity(vendorId), config.notifyDigestSeconds, log.child({ component: 'notifications' }));
  const eventOutbox = new EventOutbox(infra.db, toNotificationsAndWebhooks(notifications, webhookDelivery));

  const supportBundles = new SupportBundleService(new SupportBundleRepository(infra.db), installations, notifier, config.supportBundles, log.child({ component: 'support-bundles' }));
  const installationConfig = new InstallationConfigService(configRepo, installations, secretBox.encrypting);

  return {
    desiredStates: desiredRepo,
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
    purgeExpiredInstallSecrets: () => agentRepo.purgeExpiredInstallSecrets(),
    sealPlaintextSecrets: () => webhookRepo.sealPlaintextSecrets(),
  };
}
