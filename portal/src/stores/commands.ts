import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CreateCommandBody, InstallationCommand, InstallationCommandDetail } from '@flotilla/protocol';
import { commandsApi } from '../api/commands';
import { patchCommands } from '../lib/commands';

/**
 * Commands per installation, loaded when an installation is opened and then kept current by the
 * `command:changed` live events (no polling). Collected logs are fetched on demand.
 */
export const useCommandsStore = defineStore('commands', () => {
  const byInstallation = ref<Record<string, InstallationCommand[]>>({});
  const details = ref<Record<string, InstallationCommandDetail>>({});

  async function load(installationId: string): Promise<void> {
    const page = await commandsApi.list(installationId);
    // Events that arrived while loading are newer than the page: keep them.
    let merged = page.items;
    for (const c of byInstallation.value[installationId] ?? []) merged = patchCommands(merged, c);
    byInstallation.value = { ...byInstallation.value, [installationId]: merged };
  }

  function apply(command: InstallationCommand): void {
    const list = byInstallation.value[command.installationId];
    if (list === undefined) return; // not open: loaded fresh when it is
    byInstallation.value = { ...byInstallation.value, [command.installationId]: patchCommands(list, command) };
    // Logs keep arriving until the command finishes: a shown detail is refreshed with it.
    if (details.value[command.id] !== undefined) void loadDetail(command.installationId, command.id);
  }

  async function send(installationId: string, body: CreateCommandBody): Promise<InstallationCommand> {
    const created = await commandsApi.send(installationId, body);
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
  }

  return { byInstallation, details, load, apply, send, loadDetail, reset };
});
