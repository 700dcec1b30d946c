import type { RolloutStrategy } from '@flotilla/protocol';
import { CliError } from './cli-error.js';

/** Pure parsers of the CLI's compact argument forms; each refuses bad input with a message naming the flag. */

type WaveSpec = RolloutStrategy['waves'][number];

/** `1,25%,100%` → one installation, then 25 % of the rest, then all the rest. */
export function parseWaves(text: string): WaveSpec[] {
  const parts = text.split(',').map((p) => p.trim());
  return parts.map((part) => {
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(part);
    if (percent) {
      const value = Number(percent[1]);
      if (value < 0.1 || value > 100) throw new CliError(`--waves: ${part} is not between 0.1% and 100%`);
      return { percent: value };
    }
    if (/^\d+$/.test(part) && Number(part) >= 1) return { count: Number(part) };
    throw new CliError(`--waves: "${part}" is neither a count (e.g. 1) nor a percentage (e.g. 25%); example: --waves 1,25%,100%`);
  });
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `90s`, `5m`, `1h30m`, `2d` → seconds. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== trimmed) {
    throw new CliError(`${flag}: "${text}" is not a duration (examples: 90, 90s, 5m, 1h30m)`);
  }
  return parts.reduce((sum, m) => sum + Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1), 0);
}

export interface NameAtVersion {
  name: string;
  version: string;
}

/** `shop@1.2.0` → {name: 'shop', version: '1.2.0'}; the last `@` splits, so names may contain one. */
export function parseNameAtVersion(text: string, flag: string, example: string): NameAtVersion {
  const at = text.lastIndexOf('@');
  const name = text.slice(0, Math.max(at, 0)).trim();
  const version = text.slice(at + 1).trim();
  if (at <= 0 || name === '' || version === '') throw new CliError(`${flag}: "${text}" is not NAME@VERSION (e.g. ${example})`);
  return { name, version };
}

/** One `--stage`: its components, comma-separated (`db@3.1.0,api@1.2.0`); the flags' order is the release order. */
export function parseStage(text: string): NameAtVersion[] {
  const items = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (items.length === 0) throw new CliError('--stage: empty; give APP@VERSION[,APP@VERSION…]');
  return items.map((item) => parseNameAtVersion(item, '--stage', 'shop@1.2.0'));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** A release as the CLI names it: its id, or `TRACK@VERSION` (`Shop@1.2.0`). */
export type ReleaseRef = { id: string } | { track: string; version: string };

export function parseReleaseRef(text: string): ReleaseRef {
  if (isUuid(text)) return { id: text };
  const { name, version } = parseNameAtVersion(text, 'release', 'Shop@1.2.0, or the release id');
  return { track: name, version };
}
