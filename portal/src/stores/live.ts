import { defineStore } from 'pinia';
import { ref } from 'vue';
import { connectLive, type LiveClient, type LiveConnectionState } from '../api/live';
import { useFleetStore } from './fleet';
import { useRolloutsStore } from './rollouts';
import { useCommandsStore } from './commands';

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
    let connectedBefore = false;
    client = connectLive({
      onStatus: (status) => fleet.applyStatus(status),
      onPresence: (presence) => fleet.applyPresence(presence),
      onRolloutProgress: (progress) => rollouts.applyProgress(progress),
      onCommand: (command) => commands.apply(command),
      onInstallation: (installation) => fleet.applyInstallation(installation),
      onInstallationRemoved: (removed) => fleet.applyRemoved(removed),
      onState: (next) => {
        state.value = next;
        if (next === 'live') {
          // A list fetched before the socket joined its rooms may have missed events: fetched once more.
          if (!connectedBefore && fleet.loaded) void fleet.load();
          rollouts.setLive(true, connectedBefore);
          connectedBefore = true;
        } else rollouts.setLive(false);
      },
      // Events may have been missed while disconnected: bring the list up to date once.
      onReconnected: () => {
        if (fleet.loaded) void fleet.load();
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

  return { state, invalidEvents, start, stop };
});
