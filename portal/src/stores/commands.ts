import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CreateCommandBody, InstallationCommand, InstallationCommandDetail } from '@flotilla/protocol';
import { commandsApi } from '../api/commands';
import { patchCommands } from '../lib/commands';
import { useLiveSyncStore } from './live-sync';

/**
 * Commands per installation, loaded when an installation is opened and then kept current by the
 * `command:changed` live events (no polling), through the live feed (lib/live-sync.ts): events during
 * a load are applied after it, and every opened installation's list is fetched again when the live
 * connection may have missed events. Collected logs are fetched on demand.
 */
export const useCommandsStore = defineStore('commands', () => {
  const byInstallation = ref<Record<string, InstallationCommand[]>>({});
  const details = ref<Record<string, InstallationCommandDetail>>({});
  /** Installations whose commands were opened: fetched again after a live reconnect. */
  const opened = new Set<string>();
  const feed = useLiveSyncStore().feed(() => Promise.all([...opened].map((id) => load(id))));

  async function load(installationId: string): Promise<void> {
    opened.add(installationId);
    await feed.fetch(async () => {
      const page = await commandsApi.list(installationId);
      byInstallation.value = { ...byInstallation.value, [installationId]: page.items };
    });
  }

  function apply(command: InstallationCommand): void {
    feed.offer(() => patch(command));
  }

  function patch(command: InstallationCommand): void {
    const list = byInstallation.value[command.installationId];
    if (list === undefined) return; // not open: loaded fresh when it is
    byInstallation.value = { ...byInstallation.value, [command.installationId]: patchCommands(list, command) };
    // Logs keep arriving until the command finishes: a shown detail is refreshed with it.
    if (details.value[command.id] !== undefined) void loadDetail(command.installationId, command.id);
  }

  async function send(installationId: string, body: CreateCommandBody): Promise<InstallationCommand> {
    const created = await feed.fetch(() => commandsApi.send(installationId, body));
    apply(created);
    return created;
  }

  async function loadDetail(installationId: string, commandId: string): Promise<void> {
    const detail = await commandsApi.get(installationId, commandId);
    details.value = { ...details.value, [commandId]: detail };
  }

  function reset(): void {
    byInstallation.value = {};
    details.value = {};
    opened.clear();
    feed.reset();
  }

  return { byInstallation, details, load, apply, send, loadDetail, reset };
});
