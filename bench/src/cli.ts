#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE, UsageError } from './options.js';
import { toMarkdown } from './report.js';
import { resultFiles } from './result-files.js';
import { runBench } from './run.js';

const defaultOut = fileURLToPath(new URL('../results', import.meta.url));
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
let opts;
try {
  opts = parseOptions(argv, defaultOut);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`flotilla-bench: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
const log = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const results = await runBench(opts, log);
process.stdout.write(toMarkdown(results));
const files = resultFiles(opts);
log(`results written to ${files.markdown} and ${files.json}`);
process.exit(results.scenarios.every((s) => s.completed) ? 0 : 1);
