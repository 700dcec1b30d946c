import type { Branding, HostBrandingResponse, UpdateBrandingBody } from '@flotilla/protocol';
import { request } from './client';

export const brandingApi = {
  /** Public: the brand of the host this page was loaded from (null on the hub's own names). */
  host: () => request<HostBrandingResponse>('GET', '/branding/host'),
  get: () => request<Branding>('GET', '/branding'),
  update: (body: UpdateBrandingBody) => request<Branding>('PATCH', '/branding', body),
};
