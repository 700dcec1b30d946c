import type { DriverContext, Driver } from './driver.js';
import type { Logger } from './logger.js';

/**
 * Hands the customer's license to the application through the driver (compose: a file, helm: a
 * Secret), one change at a time and only when it changed. Hellos, polls and pushes all bring the
 * license; a failed hand-over is tried again with the next one.
 */
export class LicenseKeeper {
  /** What the driver holds now (undefined: nothing handed over yet in this process). */
  private handed: string | null | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly driver: Pick<Driver, 'license'>,
    private readonly context: () => DriverContext,
    private readonly logger: Logger,
  ) {}

  /** Resolves once this license (or a later one) is with the driver, or its hand-over failed (logged). */
  take(license: string | null): Promise<void> {
    const run = async () => {
      if (license === this.handed || this.driver.license === undefined) return;
      try {
        await this.driver.license(license, this.context());
        this.handed = license;
        this.logger.info({ present: license !== null }, 'license handed to the application');
      } catch (err) {
        this.handed = undefined;
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not hand the license to the application');
      }
    };
    this.queue = this.queue.then(run);
    return this.queue;
  }
}
