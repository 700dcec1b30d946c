import { describe, expect, it } from 'vitest';
import { throttle, type Clock } from './throttle';

function fakeClock() {
  let t = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  const clock: Clock = {
    now: () => t,
    setTimeout: (fn, ms) => {
      const id = ++ids;
      timers.push({ at: t + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((x) => x.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    t += ms;
    for (const timer of timers.filter((x) => x.at <= t)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.fn();
    }
  };
  return { clock, advance };
}

describe('throttle', () => {
  it('runs the first call at once and folds the rest into one call at the end of the interval', () => {
    const { clock, advance } = fakeClock();
    let runs = 0;
    const t = throttle(() => runs++, 1000, clock);
    t.call();
    expect(runs).toBe(1);
    t.call();
    t.call();
    advance(999);
    expect(runs).toBe(1);
    advance(1);
    expect(runs).toBe(2);
    advance(5000);
    t.call();
    expect(runs).toBe(3);
  });
  it('runs nothing pending after cancel', () => {
    const { clock, advance } = fakeClock();
    let runs = 0;
    const t = throttle(() => runs++, 1000, clock);
    t.call();
    t.call();
    t.cancel();
    advance(2000);
    expect(runs).toBe(1);
  });
});
