import type { MetricsResponse, MetricsWindow } from '@flotilla/protocol';
import type { Scope } from '../access/roles.js';
import type { InstallationService } from './installation-service.js';
import { METRIC_TIERS, METRIC_WINDOWS, type MetricsRepository } from './metrics-repository.js';

/** Installation metrics for the REST API (tenancy as for the installation itself). */
export class MetricsService {
  constructor(
    private readonly repo: MetricsRepository,
    private readonly installations: Pick<InstallationService, 'row'>,
  ) {}

  async metrics(scope: Scope, id: string, window: MetricsWindow, now = new Date()): Promise<MetricsResponse> {
    await this.installations.row(scope, id);
    const w = METRIC_WINDOWS[window];
    const from = new Date(now.getTime() - w.spanMs);
    const [series, unavailable] = await Promise.all([this.repo.series(id, w.source, w.step, from, now), this.repo.latestUnavailable(id)]);
    return { installationId: id, window, from: from.toISOString(), to: now.toISOString(), stepSeconds: w.step, ...series, unavailable };
  }
}

/**
 * The maintenance job: rolls raw samples into 5-minute averages and those into hourly ones, for
 * all installations in one statement each, then deletes what each resolution no longer keeps.
 * Each roll-up resumes at the newest bucket it wrote (recomputed: it may have been partial), so a
 * hub that was down catches up with what the finer resolution still holds.
 */
export class MetricsRollup {
  constructor(private readonly repo: MetricsRepository) {}

  async run(now = new Date()): Promise<{ rolled: number; purged: number }> {
    let rolled = 0;
    for (let i = 1; i < METRIC_TIERS.length; i++) {
      const source = METRIC_TIERS[i - 1];
      const target = METRIC_TIERS[i];
      if (source === undefined || target === undefined) continue;
      const oldestKept = now.getTime() - source.keepMs;
      const newest = await this.repo.newest(target.step);
      const since = new Date(Math.max(newest?.getTime() ?? oldestKept, oldestKept));
      rolled += await this.repo.rollUp(source.step, target.step, since, now);
    }
    let purged = 0;
    for (const tier of METRIC_TIERS) purged += await this.repo.purge(tier.step, new Date(now.getTime() - tier.keepMs));
    return { rolled, purged };
  }
}
