import type { CreateAlertRuleBody, UpdateAlertRuleBody } from '@flotilla/protocol';
import { hub } from './hub';

const at = (id: string) => ({ params: { id } });

export const alertRulesApi = {
  list: () => hub.request('GET /alert-rules'),
  create: (body: CreateAlertRuleBody) => hub.request('POST /alert-rules', { body }),
  update: (id: string, body: UpdateAlertRuleBody) => hub.request('PATCH /alert-rules/:id', { ...at(id), body }),
  remove: (id: string) => hub.request('DELETE /alert-rules/:id', at(id)),
};
