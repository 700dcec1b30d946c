import { onBeforeUnmount, ref, type Ref } from 'vue';

/**
 * Copies text to the clipboard: the async Clipboard API where the page is a secure context, else
 * the old select-and-copy (a hub reached over plain http on a LAN address is not a secure context).
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (window.isSecureContext && navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Denied (no user gesture, permissions): fall through to the old way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

export type CopyState = 'idle' | 'copied' | 'failed';

/** A copy action whose state (`copied`/`failed`) shows for a moment after each click. */
export function useCopy(resetAfterMs = 2000): { state: Ref<CopyState>; copy: (text: string) => Promise<void> } {
  const state = ref<CopyState>('idle');
  let timer: ReturnType<typeof setTimeout> | undefined;
  onBeforeUnmount(() => clearTimeout(timer));
  async function copy(text: string): Promise<void> {
    state.value = (await copyText(text)) ? 'copied' : 'failed';
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.value = 'idle';
    }, resetAfterMs);
  }
  return { state, copy };
}
