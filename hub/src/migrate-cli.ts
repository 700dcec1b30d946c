import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openInfra } from './infra/index.js';
import { migrateLatest, rollbackAll } from './migrate.js';

/** `npm run migrate -w hub` (apply) or `npm run migrate -w hub -- --rollback-all`. */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { service: 'migrate' });
  const infra = await openInfra(config, logger);
  try {
    if (process.argv.includes('--rollback-all')) {
      logger.info({ reverted: await rollbackAll(infra.db) }, 'migrations rolled back');
    } else {
      logger.info({ applied: await migrateLatest(infra.db) }, 'migrations up to date');
    }
  } finally {
    await infra.close();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
