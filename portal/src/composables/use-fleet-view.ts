import { computed, onScopeDispose, ref, shallowRef, toRaw, watch, type ComputedRef, type Ref, type ShallowRef } from 'vue';
import type { Installation } from '@flotilla/protocol';
import { REBUILD_SHARE, buildView, filterOptions, patchView, viewRules, type FleetChange, type FleetFilterOptions, type FleetQuery } from '../lib/fleet-view';
import { useFleetStore } from '../stores/fleet';

/**
 * The fleet filtered and sorted by `query`: built when the query or the whole list changes, then
 * patched row by row from the store's live changes (no re-sort; a big burst rebuilds instead).
 */
export function useFleetView(query: Ref<FleetQuery>): ShallowRef<Installation[]> {
  const fleet = useFleetStore();
  const view = shallowRef<Installation[]>([]);
  let rules = viewRules(query.value);

  function rebuild(): void {
    rules = viewRules(query.value);
    view.value = buildView(toRaw(fleet.items), query.value);
  }

  function apply(changes: FleetChange[]): void {
    if (changes.length > Math.max(64, view.value.length * REBUILD_SHARE)) {
      rebuild();
      return;
    }
    // A new array (a cheap copy of references) so the table sees a new list.
    const next = view.value.slice();
    let changed = false;
    for (const change of changes) changed = patchView(next, change, rules) || changed;
    if (changed) view.value = next;
  }

  watch([() => fleet.items, query], rebuild, { immediate: true });
  onScopeDispose(fleet.onChange(apply));
  return view;
}

/** Whether a change can add or remove a filter choice (customer, environment, track or release). */
function changesChoices({ before, after }: FleetChange): boolean {
  if (before === undefined || after === undefined) return true;
  return before.customerId !== after.customerId || before.customerName !== after.customerName || before.environment !== after.environment || before.trackId !== after.trackId || before.status.runningVersion !== after.status.runningVersion;
}

/**
 * The filter selects' choices from the whole fleet, recomputed when the list is loaded or a change
 * touches a value they list (not on every health or presence patch).
 */
export function useFleetFilterOptions(query: Ref<FleetQuery>, trackNames: Ref<ReadonlyMap<string, string>>): ComputedRef<FleetFilterOptions> {
  const fleet = useFleetStore();
  const tick = ref(0);
  onScopeDispose(
    fleet.onChange((changes) => {
      if (changes.some(changesChoices)) tick.value++;
    }),
  );
  return computed(() => {
    void tick.value;
    void fleet.items; // replaced by a load
    return filterOptions(toRaw(fleet.items), trackNames.value, query.value);
  });
}
