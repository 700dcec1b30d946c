import path from 'node:path';
import type { BenchOptions } from './options.js';

/**
 * Where a run's results go. The quick run (1 000 agents, CI) writes `latest-quick.*` so it never
 * overwrites `latest.*`, the committed record of the last full run that the READMEs quote.
 */
export function resultFiles(opts: Pick<BenchOptions, 'quick' | 'outDir'>): { markdown: string; json: string } {
  const base = opts.quick ? 'latest-quick' : 'latest';
  return { markdown: path.join(opts.outDir, `${base}.md`), json: path.join(opts.outDir, `${base}.json`) };
}
