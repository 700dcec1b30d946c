import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SupportBundle, SupportBundleDetail } from '@flotilla/protocol';
import { supportBundlesApi } from '../api/support-bundles';
import { patchBundles } from '../lib/support-bundles';
import { useLiveSyncStore } from './live-sync';

/**
 * Support bundles per installation, loaded when an installation is opened and kept current by the
 * `support-bundle:changed` live events through the live feed (lib/live-sync.ts), like commands. A
 * bundle's manifest (what was collected) is fetched when it is shown, again once it is ready.
 */
export const useSupportBundlesStore = defineStore('support-bundles', () => {
  const byInstallation = ref<Record<string, SupportBundle[]>>({});
  const details = ref<Record<string, SupportBundleDetail>>({});
  const opened = new Set<string>();
  const feed = useLiveSyncStore().feed(() => Promise.all([...opened].map((id) => load(id))));

  async function load(installationId: string): Promise<void> {
    opened.add(installationId);
    await feed.fetch(async () => {
      const { items } = await supportBundlesApi.list(installationId);
      byInstallation.value = { ...byInstallation.value, [installationId]: items };
    });
  }

  function apply(bundle: SupportBundle): void {
    feed.offer(() => patch(bundle));
  }

  function patch(bundle: SupportBundle): void {
    const list = byInstallation.value[bundle.installationId];
    if (list === undefined) return;
    byInstallation.value = { ...byInstallation.value, [bundle.installationId]: patchBundles(list, bundle) };
    const shown = details.value[bundle.id];
    if (shown !== undefined && shown.status !== bundle.status) void loadDetail(bundle.id);
  }

  async function request(installationId: string, logLines?: number): Promise<SupportBundle> {
    const created = await feed.fetch(() => supportBundlesApi.create(installationId, logLines === undefined ? {} : { logLines }));
    apply(created);
    return created;
  }

  async function approve(id: string): Promise<void> {
    apply(await supportBundlesApi.approve(id));
  }

  async function reject(id: string, reason?: string): Promise<void> {
    apply(await supportBundlesApi.reject(id, reason));
  }

  async function loadDetail(id: string): Promise<void> {
    const detail = await supportBundlesApi.get(id);
    details.value = { ...details.value, [id]: detail };
  }

  function reset(): void {
    byInstallation.value = {};
    details.value = {};
    opened.clear();
    feed.reset();
  }

  return { byInstallation, details, load, apply, request, approve, reject, loadDetail, reset };
});
