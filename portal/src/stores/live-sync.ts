import { defineStore } from 'pinia';
import { createLiveSync } from '../lib/live-sync';

/** The app's one LiveSync (lib/live-sync.ts): stores take their feed from it, the live store tells it the connection's state. */
export const useLiveSyncStore = defineStore('live-sync', () => {
  const sync = createLiveSync();
  return { feed: sync.feed, connectionChanged: sync.connectionChanged };
});
