import type { Knex } from 'knex';
import * as m20261123160000 from './20261123160000_hub_nodes.js';
import * as m20261123170000 from './20261123170000_core.js';
import * as m20261123180000 from './20261123180000_identity.js';
import * as m20261123190000 from './20261123190000_releases.js';
import * as m20261123200000 from './20261123200000_rollouts.js';
import * as m20261123213000 from './20261123213000_agent_polling.js';
import * as m20261124100000 from './20261124100000_commands.js';
import * as m20261124120000 from './20261124120000_helm_installations.js';
import * as m20261204190000 from './20261204190000_audit_target_name.js';
import * as m20261204193000 from './20261204193000_installation_lifecycle.js';
import * as m20261204194000 from './20261204194000_version_archive.js';
import * as m20261204200000 from './20261204200000_uptime_rollups.js';
import * as m20261204201000 from './20261204201000_events_paging.js';
import * as m20261204202000 from './20261204202000_desired_components.js';
import * as m20261204203000 from './20261204203000_uptime_daily.js';
import * as m20261205090000 from './20261205090000_first_connected.js';
import * as m20261205150000 from './20261205150000_rollout_target_waits.js';
import * as m20261205160000 from './20261205160000_branding.js';
import * as m20261206100000 from './20261206100000_pending_signups.js';
import * as m20261206300000 from './20261206300000_rollout_target_base_release.js';
import * as m20261206400000 from './20261206400000_webhooks.js';
import * as m20261206400100 from './20261206400100_alerts.js';
import * as m20261206500000 from './20261206500000_licenses.js';
import * as m20261206500100 from './20261206500100_customer_limits.js';
import * as m20261206600000 from './20261206600000_installation_metrics.js';
import * as m20261207100000 from './20261207100000_required_releases.js';
import * as m20261207200000 from './20261207200000_notifications.js';
import * as m20261207400000 from './20261207400000_webhook_delivery_housekeeping.js';
import * as m20261207500000 from './20261207500000_support_bundles.js';
import * as m20261208100000 from './20261208100000_installation_config.js';
import * as m20261208200000 from './20261208200000_webhook_delivery_once.js';
import * as m20261208300000 from './20261208300000_open_sessions_by_agent.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Listed explicitly so the compiled hub needs no file globbing. */
const MIGRATIONS: [string, Migration][] = [
  ['20261123160000_hub_nodes', m20261123160000],
  ['20261123170000_core', m20261123170000],
  ['20261123180000_identity', m20261123180000],
  ['20261123190000_releases', m20261123190000],
  ['20261123200000_rollouts', m20261123200000],
  ['20261123213000_agent_polling', m20261123213000],
  ['20261124100000_commands', m20261124100000],
  ['20261124120000_helm_installations', m20261124120000],
  ['20261204190000_audit_target_name', m20261204190000],
  ['20261204193000_installation_lifecycle', m20261204193000],
  ['20261204194000_version_archive', m20261204194000],
  ['20261204200000_uptime_rollups', m20261204200000],
  ['20261204201000_events_paging', m20261204201000],
  ['20261204202000_desired_components', m20261204202000],
  ['20261204203000_uptime_daily', m20261204203000],
  ['20261205090000_first_connected', m20261205090000],
  ['20261205150000_rollout_target_waits', m20261205150000],
  ['20261205160000_branding', m20261205160000],
  ['20261206100000_pending_signups', m20261206100000],
  ['20261206300000_rollout_target_base_release', m20261206300000],
  ['20261206400000_webhooks', m20261206400000],
  ['20261206400100_alerts', m20261206400100],
  ['20261206500000_licenses', m20261206500000],
  ['20261206500100_customer_limits', m20261206500100],
  ['20261206600000_installation_metrics', m20261206600000],
  ['20261207100000_required_releases', m20261207100000],
  ['20261207200000_notifications', m20261207200000],
  ['20261207400000_webhook_delivery_housekeeping', m20261207400000],
  ['20261207500000_support_bundles', m20261207500000],
  ['20261208100000_installation_config', m20261208100000],
  ['20261208200000_webhook_delivery_once', m20261208200000],
  ['20261208300000_open_sessions_by_agent', m20261208300000],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
