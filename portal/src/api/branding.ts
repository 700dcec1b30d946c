import type { UpdateBrandingBody } from '@flotilla/protocol';
import { hub } from './hub';

export const brandingApi = {
  /** Public: the brand of the host this page was loaded from (null on the hub's own names). */
  host: () => hub.request('GET /branding/host'),
  get: () => hub.request('GET /branding'),
  update: (body: UpdateBrandingBody) => hub.request('PATCH /branding', { body }),
};
