import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The current time, refreshed every `intervalMs` so relative times ("3 min ago") stay true. */
export function useNow(intervalMs = 10_000): Ref<number> {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | undefined;
  onMounted(() => {
    timer = setInterval(() => {
      now.value = Date.now();
    }, intervalMs);
  });
  onBeforeUnmount(() => {
    if (timer !== undefined) clearInterval(timer);
  });
  return now;
}
