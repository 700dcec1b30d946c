import { defineStore } from 'pinia';
import type { AlertRule, CreateAlertRuleBody, UpdateAlertRuleBody } from '@flotilla/protocol';
import { alertRulesApi } from '../api/alert-rules';
import { useEntityList } from '../composables/use-entity-list';

/** The vendor's alert rules (Settings → Alerts). */
export const useAlertRulesStore = defineStore('alert-rules', () => {
  const { items, loaded, loading, error, load, put, drop } = useEntityList<AlertRule>(() => alertRulesApi.list());

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
    drop(id);
  }

  return { items, loaded, loading, error, load, create, update, remove };
});
