import { defineStore } from 'pinia';
import { ref } from 'vue';
import { auditApi } from '../api/identity';
import { errorMessage } from '../api/errors';
import { appendPage, type AuditFilter, type AuditRecord } from '../lib/audit';

/** The vendor's audit log, newest first, one page at a time (`before` = the last id shown). */
export const useAuditStore = defineStore('audit', () => {
  const entries = ref<AuditRecord[]>([]);
  const nextBefore = ref<string | null>(null);
  const filter = ref<AuditFilter>({ action: '' });
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** Answers to an older request (the filter changed meanwhile) are dropped. */
  let generation = 0;

  async function fetchPage(before: string | undefined, apply: (items: AuditRecord[]) => AuditRecord[]): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    try {
      const page = await auditApi.page(filter.value, before);
      if (mine !== generation) return;
      entries.value = apply(page.items);
      nextBefore.value = page.nextBefore;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      if (mine === generation) error.value = errorMessage(err);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  /** The newest page for this filter, replacing what is shown. */
  function load(next: AuditFilter = filter.value): Promise<void> {
    filter.value = { ...next };
    return fetchPage(undefined, (items) => items);
  }

  /** The next older page, appended. */
  function loadMore(): Promise<void> {
    if (nextBefore.value === null) return Promise.resolve();
    return fetchPage(nextBefore.value, (items) => appendPage(entries.value, items));
  }

  function reset(): void {
    generation++;
    entries.value = [];
    nextBefore.value = null;
    filter.value = { action: '' };
    loaded.value = false;
    loading.value = false;
    error.value = null;
  }

  return { entries, nextBefore, filter, loaded, loading, error, load, loadMore, reset };
});
