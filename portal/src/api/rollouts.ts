import type { CreateRolloutBody } from '@flotilla/protocol';
import { hub } from './hub';
import type { RolloutControl } from '../lib/rollouts';

const at = (id: string) => ({ params: { id } });

export const rolloutsApi = {
  /** Newest first. Customer users get the rollouts touching their installations, with only their targets. */
  list: async () => (await hub.request('GET /rollouts')).items,
  get: (rolloutId: string) => hub.request('GET /rollouts/:id', at(rolloutId)),
  timeline: async (rolloutId: string) => (await hub.request('GET /rollouts/:id/timeline', at(rolloutId))).items,
  /** 400/409 with a message when the hub refuses (release not ready, targets off the track or busy…). */
  create: (body: CreateRolloutBody) => hub.request('POST /rollouts', { body }),
  /** The waves the hub would form for this body and why the installations it leaves out are not eligible; creates nothing. */
  preview: (body: CreateRolloutBody) => hub.request('POST /rollouts/preview', { body }),
  /** An action the status does not allow answers 409. */
  control: (rolloutId: string, action: RolloutControl) => hub.request(`POST /rollouts/:id/${action}`, at(rolloutId)),
  /** Approve now, or (`at`, an ISO instant within 90 days) for a later time. */
  approve: (rolloutId: string, installationId: string, when?: string) =>
    hub.request('POST /rollouts/:id/targets/:installationId/approve', { params: { id: rolloutId, installationId }, body: when === undefined ? {} : { at: when } }),
};
