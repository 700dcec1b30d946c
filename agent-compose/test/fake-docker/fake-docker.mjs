// A fake `docker` / `docker-compose` for tests that cannot use a real engine or image (the agent
// images cannot be built offline). Put this folder first on PATH. Every call is appended to
// $DOCKER_FAKE_LOG as a JSON line {argv}. It answers what the compose driver asks (versions, ps,
// inspect, compose restart/logs/up/down) and, like a real engine would, starts agents:
// - `docker run … --entrypoint flotilla-agent-compose IMAGE self-update-apply ARGS` runs the real
//   built `self-update-apply` step (the updater container's job), in the background;
// - `compose … -f FILE up -d` of the agent's own compose file (service flotilla-agent) starts an
//   agent process with that file's environment, reporting the image tag as its version.
// Spawned processes are logged as {spawned: pid}; tests kill them. Knobs (env, named DOCKER_* so they
// pass the driver's environment filter): DOCKER_FAKE_NO_PLUGIN=1 (no compose plugin),
// DOCKER_FAKE_NO_STANDALONE=1 (no docker-compose v1), DOCKER_FAKE_NO_SPAWN=1 (start nothing),
// DOCKER_FAKE_FAIL=<subcommand> (that call fails).
import { spawn } from 'node:child_process';
import { appendFileSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const asV1 = process.env.DOCKER_FAKE_AS === 'docker-compose';
const log = (entry) => {
  if (process.env.DOCKER_FAKE_LOG) appendFileSync(process.env.DOCKER_FAKE_LOG, `${JSON.stringify(entry)}\n`);
};
log({ argv: asV1 ? ['docker-compose', ...argv] : argv });

const out = (text) => process.stdout.write(text);
const fail = (text, code = 1) => {
  process.stderr.write(`${text}\n`);
  process.exit(code);
};

function background(args, env) {
  const output = process.env.DOCKER_FAKE_LOG ? openSync(`${process.env.DOCKER_FAKE_LOG}.out`, 'a') : 'ignore';
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', output, output], env });
  child.unref();
  log({ spawned: child.pid, args });
}

function compose(args) {
  const sub = args.find((a) => ['version', 'up', 'down', 'restart', 'logs', 'ps'].includes(a));
  if (process.env.DOCKER_FAKE_FAIL === sub) fail(`fake compose: ${sub} failed`);
  if (sub === 'version') return out('2.99.0\n');
  if (sub === 'logs') return out('web-1  | hello from the fake\nweb-1  | second line\n');
  if (sub === 'up') {
    const file = args[args.indexOf('-f') + 1];
    let doc;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return undefined; // a component's YAML file: nothing to start
    }
    const agent = doc?.services?.['flotilla-agent'];
    if (agent && process.env.DOCKER_FAKE_NO_SPAWN !== '1') {
      const version = agent.image.slice(agent.image.lastIndexOf(':') + 1);
      const env = { ...agent.environment, PATH: process.env.PATH, DOCKER_FAKE_LOG: process.env.DOCKER_FAKE_LOG ?? '', FAKE_AGENT_VERSION: version };
      background([path.join(here, 'versioned-agent.mjs')], env);
    }
  }
  return undefined;
}

if (asV1) {
  if (process.env.DOCKER_FAKE_NO_STANDALONE === '1') fail('docker-compose: command not found', 127);
  compose(argv);
} else if (argv[0] === 'compose') {
  if (process.env.DOCKER_FAKE_NO_PLUGIN === '1') fail("docker: 'compose' is not a docker command.");
  compose(argv.slice(1));
} else if (process.env.DOCKER_FAKE_FAIL === argv[0]) {
  fail(`fake docker: ${argv[0]} failed: no such image`, 125);
} else if (argv[0] === 'version' || argv[0] === 'info') {
  out('20.10.99\n');
} else if (argv[0] === 'inspect') {
  out('[]\n');
} else if (argv[0] === 'run') {
  const step = argv.indexOf('self-update-apply');
  if (step < 0 || argv[argv.indexOf('--entrypoint') + 1] !== 'flotilla-agent-compose') fail(`fake docker: unexpected run ${argv.join(' ')}`, 125);
  if (process.env.DOCKER_FAKE_NO_SPAWN !== '1') {
    background([path.join(here, '../../dist/bin.js'), ...argv.slice(step)], { PATH: process.env.PATH, DOCKER_FAKE_LOG: process.env.DOCKER_FAKE_LOG ?? '' });
  }
  out('f00dfeedcafe\n');
}
