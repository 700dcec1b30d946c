import type { UpdateNotificationPreferencesBody } from '@flotilla/protocol';
import { hub } from './hub';

export const notificationsApi = {
  get: () => hub.request('GET /me/notification-preferences'),
  update: (body: UpdateNotificationPreferencesBody) => hub.request('PUT /me/notification-preferences', { body }),
};
