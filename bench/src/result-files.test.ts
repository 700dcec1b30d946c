import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';
import { resultFiles } from './result-files.js';

describe('resultFiles', () => {
  it('a full run writes latest.md and latest.json', () => {
    expect(resultFiles(parseOptions([], '/r'))).toEqual({ markdown: '/r/latest.md', json: '/r/latest.json' });
    expect(resultFiles(parseOptions(['--scenarios', 'fanout', '--agents', '5000'], '/r')).json).toBe('/r/latest.json');
  });

  it('a quick run writes latest-quick.*, never the full run’s latest.*', () => {
    const files = resultFiles(parseOptions(['--quick'], '/r'));
    expect(files).toEqual({ markdown: '/r/latest-quick.md', json: '/r/latest-quick.json' });
    expect(resultFiles(parseOptions(['--quick', '--agents', '3000', '--out', '/x'], '/r')).markdown).toBe('/x/latest-quick.md');
  });
});
