import type { UsageSample } from '@flotilla/protocol';

const GIB = 2 ** 30;

/**
 * A usage sample as agent-core's collectUsage sends it from a compose host running one component
 * ('web', as the bench's release has): the host's CPU, memory and disk, and the component's CPU,
 * memory and restarts. Values vary a little, as real ones do.
 */
export function simUsage(at: Date, random: () => number = Math.random): UsageSample {
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    at: at.toISOString(),
    host: {
      cpuPercent: round(5 + random() * 30),
      memoryUsedBytes: Math.round((2 + random() * 2) * GIB),
      memoryTotalBytes: 8 * GIB,
      diskUsedBytes: Math.round((20 + random()) * GIB),
      diskTotalBytes: 100 * GIB,
    },
    components: [{ name: 'web', cpuPercent: round(random() * 50), memoryBytes: Math.round((100 + random() * 50) * 2 ** 20), restarts: 0 }],
  };
}
