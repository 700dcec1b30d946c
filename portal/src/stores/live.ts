import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LiveLogFollow } from '@flotilla/protocol';
import { connectLive, followLogs, type LiveClient, type LiveConnectionState, type LogFollow, type LogFollowHandlers } from '../api/live';
import { useFleetStore } from './fleet';
import { useRolloutsStore } from './rollouts';
import { useCommandsStore } from './commands';
import { useAlertsStore } from './alerts';
import { useLiveSyncStore } from './live-sync';
import { useSupportBundlesStore } from './support-bundles';

/** The one `/live` connection of the app, feeding the stores that patch themselves from its events. */
export const useLiveStore = defineStore('live', () => {
  const state = ref<LiveConnectionState>('offline');
  const invalidEvents = ref(0);
  let client: LiveClient | null = null;

  function start(): void {
    if (client) return;
    const fleet = useFleetStore();
    const rollouts = useRolloutsStore();
    const commands = useCommandsStore();
    const alerts = useAlertsStore();
    const sync = useLiveSyncStore();
    const bundles = useSupportBundlesStore();
    client = connectLive({
      onStatus: (status) => fleet.applyStatus(status),
      onPresence: (presence) => fleet.applyPresence(presence),
      onRolloutProgress: (progress) => rollouts.applyProgress(progress),
      onCommand: (command) => commands.apply(command),
      onAlerts: (batch) => alerts.apply(batch),
      onSupportBundle: (bundle) => bundles.apply(bundle),
      onInstallation: (installation) => fleet.applyInstallation(installation),
      onInstallationRemoved: (removed) => fleet.applyRemoved(removed),
      // What the stores show catches up through their live feeds (lib/live-sync.ts).
      onState: (next) => {
        state.value = next;
        sync.connectionChanged(next);
      },
      onInvalid: () => {
        invalidEvents.value++;
      },
    });
  }

  function stop(): void {
    client?.close();
    client = null;
    state.value = 'offline';
  }

  /** Follows a component's logs over this connection (null: not connected). */
  function follow(request: LiveLogFollow, handlers: LogFollowHandlers): LogFollow | null {
    return client ? followLogs(client.socket, request, handlers) : null;
  }

  return { state, invalidEvents, start, stop, follow };
});
