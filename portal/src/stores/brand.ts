import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Branding, PublicBrand } from '@flotilla/protocol';
import { brandingApi } from '../api/branding';
import { HUB_FAVICON, effectiveBrand, publicBrandOf, themeVariables } from '../lib/brand';

/**
 * Whose look the portal wears (see lib/brand.ts). The host's brand is asked once per page load
 * before the first page renders, so a vendor's login page never flashes the hub's.
 */
export const useBrandStore = defineStore('brand', () => {
  const host = ref<PublicBrand | null>(null);
  const customersVendor = ref<PublicBrand | null>(null);
  /** The host's brand is known (until then the page keeps what the hub's index.html says). */
  const ready = ref(false);
  let hostLoading: Promise<void> | null = null;

  const brand = computed(() => effectiveBrand(host.value, customersVendor.value));
  /** On a vendor's domain: no sign-up of new vendors, nothing of the hub. */
  const onVendorDomain = computed(() => host.value !== null);

  function ensureHost(): Promise<void> {
    hostLoading ??= brandingApi.host().then(
      (res) => {
        host.value = res.brand;
        ready.value = true;
      },
      () => {
        // Unreachable hub: the look index.html has; the page says what failed when it calls the hub again.
        hostLoading = null;
      },
    );
    return hostLoading;
  }

  /** A customer user's vendor, on the hub's own host names (best effort: the hub's look otherwise). */
  async function loadCustomersVendor(): Promise<void> {
    try {
      customersVendor.value = publicBrandOf(await brandingApi.get());
    } catch {
      customersVendor.value = null;
    }
  }

  /** After a settings change: what the vendor's customers now see. */
  function settingsSaved(b: Branding): void {
    if (customersVendor.value) customersVendor.value = publicBrandOf(b);
  }

  function reset(): void {
    customersVendor.value = null;
  }

  /** Puts the brand on the document: colours on :root, the favicon (CSSOM and DOM only: no inline style or script). */
  function apply(doc: Document): void {
    const b = brand.value;
    for (const [name, value] of Object.entries(themeVariables(b))) {
      if (value) doc.documentElement.style.setProperty(name, value);
      else doc.documentElement.style.removeProperty(name);
    }
    let icon = doc.querySelector<HTMLLinkElement>('link[rel="icon"]');
    const href = b.faviconUrl ?? (b.vendor ? null : HUB_FAVICON);
    if (!href) {
      icon?.remove();
      return;
    }
    if (!icon) {
      icon = doc.createElement('link');
      icon.rel = 'icon';
      doc.head.appendChild(icon);
    }
    icon.removeAttribute('type');
    if (icon.getAttribute('href') !== href) icon.href = href;
  }

  return { host, customersVendor, ready, brand, onVendorDomain, ensureHost, loadCustomersVendor, settingsSaved, reset, apply };
});
