import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { FleetSummary } from '@flotilla/protocol';
import { fleetApi } from '../api/releases';
import { errorMessage } from '../api/errors';
import type { FleetChange } from '../lib/fleet-view';

/** At most one `GET /fleet/summary` per this interval while versions keep changing (a fleet-wide rollout). */
export const SUMMARY_REFETCH_MS = 2_000;

/** Whether a live change can change the summary's versions (what runs, what is desired, the track). */
export function changesVersions({ before, after }: FleetChange): boolean {
  if (before === undefined || after === undefined) return true;
  return before.status.runningVersion !== after.status.runningVersion || before.status.desiredVersion !== after.status.desiredVersion || before.trackId !== after.trackId;
}

/**
 * `GET /fleet/summary` for the fleet page's version drift table and versions chart: fetched once,
 * then again (throttled: the first change at once, then at most every SUMMARY_REFETCH_MS) when live
 * events change running versions. Reset on logout.
 */
export const useFleetSummaryStore = defineStore('fleet-summary', () => {
  const summary = shallowRef<FleetSummary | null>(null);
  const error = ref<string | null>(null);
  let inflight: Promise<void> | null = null;
  let lastAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Asked again while a fetch ran: its answer may predate the change. */
  let again = false;

  function load(): Promise<void> {
    if (inflight) {
      again = true;
      return inflight;
    }
    lastAt = Date.now();
    inflight = (async () => {
      try {
        summary.value = await fleetApi.summary();
        error.value = null;
      } catch (err) {
        error.value = errorMessage(err);
      } finally {
        inflight = null;
      }
      if (again) {
        again = false;
        stale();
      }
    })();
    return inflight;
  }

  /** Versions changed: refetch now, or once at the end of the current interval. */
  function stale(): void {
    if (timer !== undefined) return;
    const wait = Math.max(0, lastAt + SUMMARY_REFETCH_MS - Date.now());
    if (wait === 0) {
      void load();
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      void load();
    }, wait);
  }

  function reset(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    summary.value = null;
    error.value = null;
    lastAt = 0;
    again = false;
  }

  return { summary, error, load, stale, reset };
});
