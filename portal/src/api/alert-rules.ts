import type { AlertRule, AlertRuleList, CreateAlertRuleBody, UpdateAlertRuleBody } from '@flotilla/protocol';
import { request } from './client';

const path = (id: string) => `/alert-rules/${encodeURIComponent(id)}`;

export const alertRulesApi = {
  list: () => request<AlertRuleList>('GET', '/alert-rules'),
  create: (body: CreateAlertRuleBody) => request<AlertRule>('POST', '/alert-rules', body),
  update: (id: string, body: UpdateAlertRuleBody) => request<AlertRule>('PATCH', path(id), body),
  remove: (id: string) => request<undefined>('DELETE', path(id)),
};
