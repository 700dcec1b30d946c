import { describe, expect, it } from 'vitest';
import { parsePercent, parseSize, parseStats, sumByComponent } from './stats.js';

describe('docker stats parsing', () => {
  it('reads sizes in binary and decimal units, and "--"', () => {
    expect(parseSize('1.5MiB')).toBe(1.5 * 2 ** 20);
    expect(parseSize('0B')).toBe(0);
    expect(parseSize('23.48GiB')).toBe(Math.round(23.48 * 2 ** 30));
    expect(parseSize('12kB')).toBe(12_000);
    expect(parseSize('--')).toBe(0);
    expect(() => parseSize('12 parsecs')).toThrow(/unreadable size "12 parsecs"/);
  });

  it('reads percentages, and "--"', () => {
    expect(parsePercent('0.00%')).toBe(0);
    expect(parsePercent('153.27%')).toBe(153.27);
    expect(parsePercent('--')).toBe(0);
    expect(() => parsePercent('lots')).toThrow(/unreadable percentage/);
  });

  it('parses JSON lines by full id', () => {
    const out = [
      '{"BlockIO":"0B / 0B","CPUPerc":"12.50%","Container":"aaa","ID":"aaa","MemPerc":"0.01%","MemUsage":"2MiB / 23.5GiB","Name":"flt-x-web-web-1","NetIO":"0B / 0B","PIDs":"1"}',
      '{"BlockIO":"--","CPUPerc":"--","Container":"bbb","ID":"bbb","MemPerc":"--","MemUsage":"-- / --","Name":"flt-x-web-db-1","NetIO":"--","PIDs":"--"}',
      '',
    ].join('\n');
    expect(parseStats(out)).toEqual(
      new Map([
        ['aaa', { cpuPercent: 12.5, memoryBytes: 2 * 2 ** 20 }],
        ['bbb', { cpuPercent: 0, memoryBytes: 0 }],
      ]),
    );
    expect(() => parseStats('{"ID":"x"}')).toThrow();
  });

  it('sums containers per component, counting restarts of stopped ones too', () => {
    expect(
      sumByComponent([
        { component: 'web', restarts: 1, stats: { cpuPercent: 10.111, memoryBytes: 100 } },
        { component: 'web', restarts: 2, stats: { cpuPercent: 5.222, memoryBytes: 50 } },
        { component: 'db', restarts: 4, stats: undefined },
      ]),
    ).toEqual([
      { name: 'web', cpuPercent: 15.33, memoryBytes: 150, restarts: 3 },
      { name: 'db', cpuPercent: 0, memoryBytes: 0, restarts: 4 },
    ]);
  });
});
