import type Router from '@koa/router';
import { UpdateNotificationPreferencesBody } from '@flotilla/protocol';
import type { NotificationService } from '../../domain/notifications/notification-service.js';
import { routeRegistrar, type RouteDeps, type RouteState } from '../route.js';
import { parseOrThrow } from '../validate.js';

/** The signed-in user's own e-mail notification preferences (every user has them). */
export function notificationRoutes(router: Router<RouteState>, deps: RouteDeps, notifications: NotificationService): void {
  const r = routeRegistrar(router, deps);
  r.user('GET /me/notification-preferences', async (ctx, p) => {
    ctx.body = await notifications.preferences(p.user.id, p.memberships);
  });
  r.user('PUT /me/notification-preferences', async (ctx, p) => {
    const body = parseOrThrow(UpdateNotificationPreferencesBody, ctx.request.body, 'body');
    ctx.body = await notifications.updatePreferences(p.user.id, p.memberships, body);
    ctx.state.auditDetails = { changed: Object.keys(body) };
  });
}
