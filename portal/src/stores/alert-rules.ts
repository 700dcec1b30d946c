import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AlertRule, CreateAlertRuleBody, UpdateAlertRuleBody } from '@flotilla/protocol';
import { alertRulesApi } from '../api/alert-rules';
import { errorMessage } from '../api/errors';

/** The vendor's alert rules (Settings → Alerts). */
export const useAlertRulesStore = defineStore('alert-rules', () => {
  const items = ref<AlertRule[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      items.value = (await alertRulesApi.list()).items;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  function put(rule: AlertRule): void {
    const i = items.value.findIndex((x) => x.id === rule.id);
    if (i >= 0) items.value.splice(i, 1, rule);
    else items.value.push(rule);
  }

  async function create(body: CreateAlertRuleBody): Promise<AlertRule> {
    const rule = await alertRulesApi.create(body);
    put(rule);
    return rule;
  }

  async function update(id: string, body: UpdateAlertRuleBody): Promise<AlertRule> {
    const rule = await alertRulesApi.update(id, body);
    put(rule);
    return rule;
  }

  async function remove(id: string): Promise<void> {
    await alertRulesApi.remove(id);
    items.value = items.value.filter((r) => r.id !== id);
  }

  return { items, loaded, loading, error, load, create, update, remove };
});
