// Shared state of the fake `helm` and `kubectl`: one directory per fake cluster, named by
// KUBECONFIG (the fakes use dirname($KUBECONFIG), as the real tools find their cluster there).
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

export function clusterDir() {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) fail('The connection to the server localhost:8080 was refused - did you specify the right host or port?');
  return path.dirname(kubeconfig);
}

/** Every call is logged with its argv, what it read on stdin and the names of its env variables. */
export function record(dir, tool, argv, stdin) {
  const entry = { tool, argv, stdin, envKeys: Object.keys(process.env).sort(), at: new Date().toISOString() };
  appendFileSync(path.join(dir, 'calls.log'), `${JSON.stringify(entry)}\n`);
}

export function readStdin() {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

export function readJson(file, fallback = undefined) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

/** Atomic (write + rename): the agent reads health while an upgrade runs. */
export function writeText(file, text) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeJson(file, value) {
  writeText(file, JSON.stringify(value, null, 2));
}

export function remove(file) {
  rmSync(file, { force: true });
}

export const releaseFile = (dir, namespace, name) => path.join(dir, 'releases', namespace, `${name}.json`);
export const objectFile = (dir, namespace, kind, name) => path.join(dir, 'objects', namespace, kind, `${name}.json`);

export function objectsIn(dir, namespace, kind) {
  const folder = path.join(dir, 'objects', namespace, kind);
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.endsWith('.json')).map((f) => readJson(path.join(folder, f))).filter(Boolean);
}

/** Test knob: `<dir>/unready/<workload name>` makes it not ready; its content picks how ("", "deadline", "failed"). */
export function unreadyMode(dir, name) {
  const file = path.join(dir, 'unready', name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || 'rolling' : undefined;
}

/** Test knob: `<dir>/auth.json` = {username, password} makes every chart source require them. */
export function requiredAuth(dir) {
  return readJson(path.join(dir, 'auth.json'));
}

/**
 * A small argv parser: `valueFlags` take a value (`--x v` or `--x=v`), `boolFlags` do not;
 * anything else starting with "-" is refused like cobra does ("unknown flag").
 */
export function parseArgs(argv, valueFlags, boolFlags) {
  const positionals = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (valueFlags.includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) fail(`Error: flag needs an argument: ${name}`);
      flags[name] = value;
    } else if (boolFlags.includes(name)) {
      flags[name] = eq === -1 ? 'true' : arg.slice(eq + 1);
    } else {
      fail(`Error: unknown flag: ${name}`);
    }
  }
  return { positionals, flags };
}
