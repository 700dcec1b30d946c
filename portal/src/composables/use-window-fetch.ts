import { onBeforeUnmount, ref, watch, type Ref } from 'vue';
import { errorMessage } from '../api/errors';
import { throttle } from '../lib/throttle';

/**
 * One installation's figures over a chosen window (uptime, metrics), kept current: fetched when the
 * installation or the window changes, again on each change the page signals (`changes`, throttled
 * to one fetch per 2 s) and, with `everyMs`, on a timer. A stale answer (another window or
 * installation asked since) is dropped.
 */
export function useWindowFetch<W extends string, T>(
  props: { installationId: string; changes: string },
  initial: W,
  fetchOne: (installationId: string, window: W) => Promise<T>,
  everyMs?: number,
): { selected: Ref<W>; data: Ref<T | null>; error: Ref<string | null> } {
  const selected = ref(initial) as Ref<W>;
  const data = ref(null) as Ref<T | null>;
  const error = ref<string | null>(null);
  let generation = 0;

  async function fetchWindow(): Promise<void> {
    const asked = ++generation;
    try {
      const answer = await fetchOne(props.installationId, selected.value);
      if (asked !== generation) return;
      data.value = answer;
      error.value = null;
    } catch (err) {
      if (asked === generation) error.value = errorMessage(err);
    }
  }

  const refresh = throttle(() => void fetchWindow(), 2_000);
  watch(() => props.changes, () => refresh.call());
  watch([() => props.installationId, selected], () => void fetchWindow(), { immediate: true });
  const timer = everyMs === undefined ? undefined : setInterval(() => refresh.call(), everyMs);
  onBeforeUnmount(() => {
    refresh.cancel();
    clearInterval(timer);
  });
  return { selected, data, error };
}
