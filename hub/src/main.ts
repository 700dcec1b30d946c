import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openInfra } from './infra/index.js';
import { startStallWatchdog } from './infra/event-loop.js';
import { migrateLatest } from './migrate.js';
import { resolveSecretsKey } from './infra/secrets-key.js';
import { createApp } from './app.js';
import { HUB_VERSION } from './version.js';

/** Boots one hub process: the only place that reads config and opens connections. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, { service: 'hub' });
  logger.info({ version: HUB_VERSION }, 'starting Flotilla hub');
  await startStallWatchdog({ exitMs: config.eventLoopStallExitMs, levelVal: logger.levelVal });

  const infra = await openInfra(config, logger);
  const applied = await migrateLatest(infra.db);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const secretsKey = await resolveSecretsKey(config, logger);
  const app = createApp({ config: { ...config, secretsKey }, logger, infra });
  const address = await app.listen(config.port, config.host);
  logger.info({ port: address.port, publicUrl: config.publicUrl, backend: infra.description, node: app.nodeId }, 'hub ready');

  installShutdown(logger, config.shutdownTimeoutMs, async () => {
    await app.close();
    await infra.close();
  });
}

function installShutdown(logger: Logger, timeoutMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting anyway');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  // The logger may not exist yet: write the cause plainly and fail.
  process.stderr.write(`Flotilla hub failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
