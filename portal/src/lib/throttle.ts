export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface Throttled {
  call(): void;
  cancel(): void;
}

/**
 * Calls `run` at most once per `intervalMs`: the first call at once, later ones folded into one call
 * at the end of the interval (so the last event is always followed by a fetch). `cancel` on unmount.
 */
export function throttle(run: () => void, intervalMs: number, clock: Clock = defaultClock): Throttled {
  let last = -Infinity;
  let timer: unknown = null;
  const fire = () => {
    timer = null;
    last = clock.now();
    run();
  };
  return {
    call(): void {
      if (timer !== null) return;
      const wait = last + intervalMs - clock.now();
      if (wait <= 0) fire();
      else timer = clock.setTimeout(fire, wait);
    },
    cancel(): void {
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}

const defaultClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (id: unknown) => clearTimeout(id as ReturnType<typeof setTimeout>),
};
