import { describe, expect, it } from 'vitest';
import { parseDuration, parseNameAtVersion, parseReleaseRef, parseStage, parseWaves } from './parse.js';

describe('parseWaves', () => {
  it('reads counts and percentages in order', () => {
    expect(parseWaves('1,25%,100%')).toEqual([{ count: 1 }, { percent: 25 }, { percent: 100 }]);
    expect(parseWaves(' 3 , 12.5% ')).toEqual([{ count: 3 }, { percent: 12.5 }]);
  });
  it('refuses anything else, naming the flag', () => {
    expect(() => parseWaves('1,abc')).toThrow('--waves: "abc" is neither a count');
    expect(() => parseWaves('0')).toThrow('--waves');
    expect(() => parseWaves('150%')).toThrow('--waves: 150% is not between 0.1% and 100%');
    expect(() => parseWaves('')).toThrow('--waves');
  });
});

describe('parseDuration', () => {
  it('reads seconds, units and combinations', () => {
    expect(parseDuration('90', '--soak')).toBe(90);
    expect(parseDuration('90s', '--soak')).toBe(90);
    expect(parseDuration('5m', '--soak')).toBe(300);
    expect(parseDuration('1h30m', '--soak')).toBe(5400);
    expect(parseDuration('2d', '--soak')).toBe(172_800);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['', '5 m', 'm5', '5x', '1.5h', '5m-']) expect(() => parseDuration(bad, '--soak')).toThrow(/^--soak: ".*" is not a duration/);
  });
});

describe('names with versions', () => {
  it('splits at the last @', () => {
    expect(parseNameAtVersion('shop@1.2.0', '--stage', 'x')).toEqual({ name: 'shop', version: '1.2.0' });
    expect(parseNameAtVersion('@scope/app@2.0.0', '--stage', 'x')).toEqual({ name: '@scope/app', version: '2.0.0' });
    for (const bad of ['shop', 'shop@', '@1.0.0']) expect(() => parseNameAtVersion(bad, '--stage', 'shop@1.2.0')).toThrow(`--stage: "${bad}" is not NAME@VERSION (e.g. shop@1.2.0)`);
  });
  it('reads a stage of several components', () => {
    expect(parseStage('db@3.1.0, api@1.2.0')).toEqual([
      { name: 'db', version: '3.1.0' },
      { name: 'api', version: '1.2.0' },
    ]);
    expect(() => parseStage(' , ')).toThrow('--stage: empty');
  });
  it('takes a release as an id or TRACK@VERSION', () => {
    expect(parseReleaseRef('0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0')).toEqual({ id: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' });
    expect(parseReleaseRef('Acme Platform@1.2.0')).toEqual({ track: 'Acme Platform', version: '1.2.0' });
    expect(() => parseReleaseRef('Shop')).toThrow('release: "Shop" is not NAME@VERSION');
  });
});
