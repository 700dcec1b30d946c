import type { CreateRolloutBody, Rollout, RolloutPreview } from '@flotilla/protocol';
import { request } from './client';
import type { RolloutControl } from '../lib/rollouts';

interface ItemsOf<T> {
  items: T[];
}

export interface RolloutEvent {
  id?: string;
  installationId: string | null;
  type: string;
  stage: number | null;
  revision: number | null;
  message: string | null;
  at: string;
}

const id = (value: string) => encodeURIComponent(value);

export const rolloutsApi = {
  /** Newest first. Customer users get the rollouts touching their installations, with only their targets. */
  list: async () => (await request<ItemsOf<Rollout>>('GET', '/rollouts')).items,
  get: (rolloutId: string) => request<Rollout>('GET', `/rollouts/${id(rolloutId)}`),
  timeline: async (rolloutId: string) => (await request<ItemsOf<RolloutEvent>>('GET', `/rollouts/${id(rolloutId)}/timeline`)).items,
  /** 400/409 with a message when the hub refuses (release not ready, targets off the track or busy…). */
  create: (body: CreateRolloutBody) => request<Rollout>('POST', '/rollouts', body),
  /** The waves the hub would form for this body and why the installations it leaves out are not eligible; creates nothing. */
  preview: (body: CreateRolloutBody) => request<RolloutPreview>('POST', '/rollouts/preview', body),
  /** An action the status does not allow answers 409. */
  control: (rolloutId: string, action: RolloutControl) => request<Rollout>('POST', `/rollouts/${id(rolloutId)}/${action}`),
  /** Approve now, or (`at`, an ISO instant within 90 days) for a later time. */
  approve: (rolloutId: string, installationId: string, at?: string) =>
    request<Rollout>('POST', `/rollouts/${id(rolloutId)}/targets/${id(installationId)}/approve`, at === undefined ? {} : { at }),
};
