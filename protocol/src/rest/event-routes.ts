import { AlertList, AlertRule, AlertRuleList, AlertsQuery, CreateAlertRuleBody, UpdateAlertRuleBody } from './alerts.js';
import {
  CreateWebhookBody,
  RotateWebhookSecretBody,
  UpdateWebhookBody,
  Webhook,
  WebhookDeliveriesQuery,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookList,
  WebhookWithSecret,
} from './webhooks.js';
import type { RouteContract } from './route-contract.js';

/** Events out: webhook endpoints and their deliveries, alert rules and alerts. */
export const EVENT_ROUTES = {
  'GET /webhooks': { operationId: 'listWebhooks', tag: 'Webhooks', summary: "Your organisation's webhook endpoints (vendor: the vendor's; customer: its own)", responses: { 200: WebhookList } },
  'POST /webhooks': {
    operationId: 'createWebhook',
    tag: 'Webhooks',
    summary: 'Create a webhook endpoint; its `whsec_…` signing secret is in this answer only',
    description:
      'Deliveries follow the Standard Webhooks spec: headers `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64-decoded secret after `whsec_`. `events` filters by type (empty: all). Loopback, private and link-local targets are refused unless the hub allows them.',
    body: CreateWebhookBody,
    responses: { 201: WebhookWithSecret },
    example: { url: 'https://hooks.example.com/flotilla', description: 'On-call', events: ['rollout.failed', 'installation.offline'] },
  },
  'GET /webhooks/:id': { operationId: 'getWebhook', tag: 'Webhooks', summary: 'A webhook endpoint', responses: { 200: Webhook } },
  'PATCH /webhooks/:id': {
    operationId: 'updateWebhook',
    tag: 'Webhooks',
    summary: 'Change URL, description or event filter; enable or disable',
    body: UpdateWebhookBody,
    responses: { 200: Webhook },
    example: { events: ['rollout.failed'], enabled: true },
  },
  'DELETE /webhooks/:id': { operationId: 'deleteWebhook', tag: 'Webhooks', summary: 'Delete a webhook endpoint and its delivery log', responses: { 204: null } },
  'POST /webhooks/:id/rotate-secret': {
    operationId: 'rotateWebhookSecret',
    tag: 'Webhooks',
    summary: 'New signing secret (shown once); the old one keeps signing beside it for `overlapHours` (default 24)',
    body: RotateWebhookSecretBody,
    responses: { 200: WebhookWithSecret },
    example: { overlapHours: 24 },
  },
  'POST /webhooks/:id/test': { operationId: 'testWebhook', tag: 'Webhooks', summary: 'Send a `webhook.test` message now (see the delivery log)', responses: { 202: WebhookDelivery }, errors: ['CONFLICT'] },
  'GET /webhooks/:id/deliveries': {
    operationId: 'listWebhookDeliveries',
    tag: 'Webhooks',
    summary: 'The delivery log, newest first: status, attempts, response status and excerpt, duration',
    query: WebhookDeliveriesQuery,
    responses: { 200: WebhookDeliveryPage },
  },
  'POST /webhooks/:id/deliveries/:deliveryId/redeliver': {
    operationId: 'redeliverWebhook',
    tag: 'Webhooks',
    summary: 'Send a logged message again (same `webhook-id`), one attempt',
    responses: { 202: WebhookDelivery },
    errors: ['CONFLICT'],
  },

  'GET /alert-rules': { operationId: 'listAlertRules', tag: 'Alerts', summary: "The vendor's alert rules", responses: { 200: AlertRuleList } },
  'POST /alert-rules': {
    operationId: 'createAlertRule',
    tag: 'Alerts',
    summary: 'Create an alert rule: offline or health failing longer than `threshold` minutes, `threshold` releases behind, or an outdated agent',
    description: 'Rules are evaluated every ALERT_EVALUATION_SECONDS; each alert that fires or resolves is an `alert.firing` / `alert.resolved` webhook and goes on the installation timeline, and users who subscribed (`/me/notification-preferences`) get it in their next e-mail digest.',
    body: CreateAlertRuleBody,
    responses: { 201: AlertRule },
    example: { name: 'Offline 15 min', kind: 'offline', threshold: 15 },
  },
  'PATCH /alert-rules/:id': { operationId: 'updateAlertRule', tag: 'Alerts', summary: 'Rename, change the threshold, enable or disable (disabling resolves its alerts)', body: UpdateAlertRuleBody, responses: { 200: AlertRule }, example: { threshold: 30 } },
  'DELETE /alert-rules/:id': { operationId: 'deleteAlertRule', tag: 'Alerts', summary: 'Delete an alert rule and its alerts', responses: { 204: null } },
  'GET /alerts': { operationId: 'listAlerts', tag: 'Alerts', summary: 'Alerts, newest first (default: firing); customers see their own installations’', query: AlertsQuery, responses: { 200: AlertList } },
} as const satisfies Record<string, RouteContract>;
