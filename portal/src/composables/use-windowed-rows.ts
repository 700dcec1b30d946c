import { computed, onBeforeUnmount, onMounted, ref, watch, type ComputedRef, type Ref } from 'vue';
import { windowRange, type WindowRange } from '../lib/windowing';

/** A table body row's height before one was measured (the stylesheet's `.table` row, one line). */
export const ESTIMATED_ROW_HEIGHT = 41;
const OVERSCAN = 8;

/**
 * Virtual scrolling for a table in a scrolling container (`scroller`): which rows to render for its
 * scroll position and height, re-measured when it resizes. Rows are one line high; their height is
 * measured from the rows rendered (`body`'s rows other than the spacers).
 */
export function useWindowedRows(count: Ref<number>, scroller: Ref<HTMLElement | null>, body: Ref<HTMLElement | null>): { range: ComputedRef<WindowRange>; rowHeight: Ref<number> } {
  const scrollTop = ref(0);
  const viewportHeight = ref(800);
  const rowHeight = ref(ESTIMATED_ROW_HEIGHT);
  let frame = 0;
  let resize: ResizeObserver | undefined;

  const range = computed(() => windowRange(count.value, rowHeight.value, scrollTop.value, viewportHeight.value, OVERSCAN));

  function read(): void {
    frame = 0;
    const el = scroller.value;
    if (!el) return;
    scrollTop.value = el.scrollTop;
    viewportHeight.value = el.clientHeight;
  }
  function onScroll(): void {
    if (frame === 0) frame = requestAnimationFrame(read);
  }
  function measure(): void {
    const rows = body.value?.querySelectorAll<HTMLElement>(':scope > tr[data-row]');
    if (!rows || rows.length === 0) return;
    let total = 0;
    for (const row of rows) total += row.getBoundingClientRect().height;
    const height = total / rows.length;
    if (height > 0 && Math.abs(height - rowHeight.value) > 0.5) rowHeight.value = height;
  }

  onMounted(() => {
    const el = scroller.value;
    if (!el) return;
    el.addEventListener('scroll', onScroll, { passive: true });
    resize = new ResizeObserver(() => {
      read();
      measure();
    });
    resize.observe(el);
    read();
    measure();
  });
  // Rows rendered for the first time (the list arrived): measure them once.
  watch(
    () => count.value > 0,
    (some) => {
      if (some) requestAnimationFrame(measure);
    },
  );
  onBeforeUnmount(() => {
    scroller.value?.removeEventListener('scroll', onScroll);
    resize?.disconnect();
    if (frame !== 0) cancelAnimationFrame(frame);
  });
  return { range, rowHeight };
}
