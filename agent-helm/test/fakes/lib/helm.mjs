// The fake `helm` (v3 syntax). Shapes and wording follow Helm's docs and output: see ../README.md.
import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { clusterDir, fail, objectFile, objectsIn, parseArgs, readJson, readStdin, record, releaseFile, remove, requiredAuth, unreadyMode, writeJson, writeText } from './cluster.mjs';

const VALUE_FLAGS = ['--namespace', '-n', '--version', '-f', '--values', '--timeout', '--repo', '--repository-config', '--repository-cache', '--registry-config', '--username', '-o', '--output', '--max', '--revision'];
const BOOL_FLAGS = ['--install', '--wait', '--password-stdin', '--short', '--atomic'];
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];
const now = () => new Date().toISOString();

export function main(argv) {
  const dir = clusterDir();
  const { positionals, flags } = parseArgs(argv, VALUE_FLAGS, BOOL_FLAGS);
  const stdin = flags['--password-stdin'] ? readStdin() : '';
  record(dir, 'helm', argv, stdin);
  const ns = flags['--namespace'] ?? flags['-n'] ?? 'default';
  const [cmd, sub] = positionals;
  if (cmd === 'version') return out('v3.16.4+g7877b45');
  if (cmd === 'repo' && sub === 'add') return repoAdd(dir, positionals[2], positionals[3], flags, stdin);
  if (cmd === 'registry' && sub === 'login') return registryLogin(dir, positionals[2], flags, stdin);
  if (cmd === 'upgrade') return upgrade(dir, ns, positionals[1], positionals[2], flags);
  if (cmd === 'status') return status(dir, ns, positionals[1]);
  if (cmd === 'history') return history(dir, ns, positionals[1], Number(flags['--max'] ?? 256));
  if (cmd === 'get' && sub === 'manifest') return out(revisionOf(load(dir, ns, positionals[2]), flags['--revision']).manifest);
  if (cmd === 'rollback') return rollback(dir, ns, positionals[1], positionals[2]);
  if (cmd === 'uninstall') return uninstall(dir, ns, positionals[1]);
  fail(`Error: unknown command "${cmd}" for "helm"`);
}

function out(text) {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function load(dir, ns, name, quiet = false) {
  const rel = readJson(releaseFile(dir, ns, name));
  if (!rel && !quiet) fail('Error: release: not found');
  return rel;
}

const last = (rel) => rel.revisions[rel.revisions.length - 1];

function revisionOf(rel, wanted) {
  const rev = wanted === undefined ? last(rel) : rel.revisions.find((r) => r.version === Number(wanted));
  if (!rev) fail('Error: release: not found');
  return rev;
}

function repoAdd(dir, name, url, flags, password) {
  checkAuth(dir, flags['--username'], password.trim(), () => `Error: looks like "${url}" is not a valid chart repository or cannot be reached: failed to fetch ${url}/index.yaml : 401 Unauthorized`);
  const file = flags['--repository-config'];
  const config = file && existsSync(file) ? parse(readFileSync(file, 'utf8')) : { apiVersion: '', generated: now(), repositories: [] };
  config.repositories = [...config.repositories.filter((r) => r.name !== name), { name, url, username: flags['--username'] ?? '', password: password.trim() }];
  writeYaml(file, config);
  out(`"${name}" has been added to your repositories`);
}

function registryLogin(dir, host, flags, password) {
  checkAuth(dir, flags['--username'], password.trim(), () => `Error: login attempt to https://${host}/v2/ failed with status: 401 Unauthorized`);
  const file = flags['--registry-config'];
  const config = readJson(file, { auths: {} });
  config.auths[host] = { auth: Buffer.from(`${flags['--username']}:${password.trim()}`).toString('base64') };
  writeJson(file, config);
  out('Login Succeeded');
}

function writeYaml(file, value) {
  if (!file) fail('Error: the fake helm needs --repository-config');
  writeText(file, stringify(value));
}

function checkAuth(dir, username, password, message) {
  const required = requiredAuth(dir);
  if (required && (required.username !== username || required.password !== password)) fail(message());
}

/** Which chart the upgrade names, after checking the credentials its source needs. */
function resolveChart(dir, ref, flags, version) {
  const required = requiredAuth(dir);
  if (ref.startsWith('oci://')) {
    const host = ref.slice('oci://'.length).split('/')[0];
    const auths = readJson(flags['--registry-config'] ?? '', { auths: {} }).auths ?? {};
    const expected = required && Buffer.from(`${required.username}:${required.password}`).toString('base64');
    if (required && auths[host]?.auth !== expected) fail(`Error: failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://${host}/service/token: 401 Unauthorized`);
    return { name: ref.split('/').pop(), source: ref };
  }
  if (ref.includes('/')) {
    const [alias, name] = ref.split('/');
    const file = flags['--repository-config'];
    const repos = file && existsSync(file) ? parse(readFileSync(file, 'utf8')).repositories : [];
    const repo = repos.find((r) => r.name === alias);
    if (!repo) fail(`Error: repo ${alias} not found`);
    if (required && (repo.username !== required.username || repo.password !== required.password)) fail(`Error: failed to fetch ${repo.url}/index.yaml : 401 Unauthorized`);
    return found(name, repo.url, version);
  }
  const url = flags['--repo'];
  if (!url) fail(`Error: non-absolute URLs should be in form of repo_name/path_to_chart, got: ${ref}`);
  if (required) fail(`Error: looks like "${url}" is not a valid chart repository or cannot be reached: failed to fetch ${url}/index.yaml : 401 Unauthorized`);
  return found(ref, url, version);
}

function found(name, url, version) {
  if (name === 'missing') fail(`Error: chart "${name}" version "${version}" not found in ${url} repository`);
  return { name, source: url };
}

/** The fake chart: a ConfigMap with the values, a Deployment `<release>`, and a Job when `job: true`. */
function render(release, chart, version, values) {
  const labels = { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/name': chart, 'helm.sh/chart': `${chart}-${version}` };
  const image = `${values.image?.repository ?? `registry.example.com/${chart}`}:${values.image?.tag ?? version}`;
  const pod = { metadata: { labels }, spec: { containers: [{ name: chart, image }] } };
  const docs = [
    ['configmap.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${release}-config`, labels }, data: { 'values.json': JSON.stringify(values) } }],
    ['deployment.yaml', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: release, labels }, spec: { replicas: values.replicaCount ?? 1, selector: { matchLabels: labels }, template: pod } }],
  ];
  if (values.job === true) {
    docs.push(['job.yaml', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `${release}-migrate`, labels }, spec: { completions: 1, template: { ...pod, spec: { ...pod.spec, restartPolicy: 'Never' } } } }]);
  }
  return docs.map(([source, obj]) => `---\n# Source: ${chart}/templates/${source}\n${stringify(obj, { aliasDuplicateObjects: false })}`).join('');
}

/** Creates or updates the live objects of a manifest (generation bumps when the spec changes) and drops the release's others. */
function applyObjects(dir, ns, release, manifest) {
  const objs = manifest.split(/^---$/m).map((d) => parse(d)).filter(Boolean);
  const keep = new Set(objs.map((o) => `${o.kind}/${o.metadata.name}`));
  for (const kind of [...WORKLOAD_KINDS, 'ConfigMap']) {
    for (const o of objectsIn(dir, ns, kind)) {
      if (o.metadata.labels?.['app.kubernetes.io/instance'] === release && !keep.has(`${kind}/${o.metadata.name}`)) remove(objectFile(dir, ns, kind, o.metadata.name));
    }
  }
  for (const o of objs) {
    const file = objectFile(dir, ns, o.kind, o.metadata.name);
    const old = readJson(file);
    const generation = (old?.metadata.generation ?? 0) + (JSON.stringify(old?.spec) === JSON.stringify(o.spec) ? 0 : 1);
    writeJson(file, { ...o, metadata: { ...o.metadata, namespace: ns, generation, uid: old?.metadata.uid ?? `uid-${Math.random().toString(16).slice(2)}` } });
  }
}

function unreadyWorkloads(dir, manifest) {
  return manifest.split(/^---$/m).map((d) => parse(d)).filter((o) => o && WORKLOAD_KINDS.includes(o.kind) && unreadyMode(dir, o.metadata.name) !== undefined);
}

function upgrade(dir, ns, name, ref, flags) {
  if (!flags['--install']) fail('Error: the fake helm only supports upgrade --install');
  const version = flags['--version'];
  if (!version) fail('Error: the fake helm needs --version');
  const chart = resolveChart(dir, ref, flags, version);
  const valuesFile = flags['-f'] ?? flags['--values'];
  const values = (valuesFile ? parse(readFileSync(valuesFile, 'utf8')) : undefined) ?? {};
  const rel = load(dir, ns, name, true) ?? { name, namespace: ns, revisions: [] };
  const previous = rel.revisions.length > 0 ? last(rel) : undefined;
  if (previous?.status.startsWith('pending-')) fail('Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');
  const installing = !rel.revisions.some((r) => r.status === 'deployed' || r.status === 'superseded');
  const manifest = render(name, chart.name, version, values);
  const rev = {
    version: (previous?.version ?? 0) + 1,
    status: 'deployed',
    description: installing ? 'Install complete' : 'Upgrade complete',
    chart: { name: chart.name, version, appVersion: version, source: chart.source },
    values,
    manifest,
    firstDeployed: rel.revisions[0]?.firstDeployed ?? now(),
    lastDeployed: now(),
  };
  // "-fail" versions never become ready: the release fails and the old pods keep serving.
  const failing = version.endsWith('-fail') ? 'context deadline exceeded' : undefined;
  if (!failing) applyObjects(dir, ns, name, manifest);
  const stuck = !failing && flags['--wait'] && unreadyWorkloads(dir, manifest).length > 0 ? 'context deadline exceeded' : undefined;
  const error = failing ?? stuck;
  if (error) {
    rev.status = 'failed';
    rev.description = installing ? `Release "${name}" failed: ${error}` : `Upgrade "${name}" failed: ${error}`;
    rel.revisions.push(rev);
    writeJson(releaseFile(dir, ns, name), rel);
    fail(installing ? `Error: INSTALLATION FAILED: ${error}` : `Error: UPGRADE FAILED: ${error}`);
  }
  for (const r of rel.revisions) if (r.status === 'deployed') r.status = 'superseded';
  rel.revisions.push(rev);
  writeJson(releaseFile(dir, ns, name), rel);
  if (installing && !previous) out(`Release "${name}" does not exist. Installing it now.`);
  else out(`Release "${name}" has been upgraded. Happy Helming!`);
  out(`NAME: ${name}\nLAST DEPLOYED: ${rev.lastDeployed}\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: ${rev.version}`);
}

function status(dir, ns, name) {
  const rel = load(dir, ns, name);
  const rev = last(rel);
  out(
    JSON.stringify({
      name,
      info: { first_deployed: rev.firstDeployed, last_deployed: rev.lastDeployed, deleted: '', description: rev.description, status: rev.status, notes: '' },
      chart: { metadata: { name: rev.chart.name, version: rev.chart.version, appVersion: rev.chart.appVersion, apiVersion: 'v2', type: 'application' }, lock: null, values: {}, schema: null, files: [] },
      config: rev.values,
      manifest: rev.manifest,
      version: rev.version,
      namespace: ns,
    }),
  );
}

function history(dir, ns, name, max) {
  const rel = load(dir, ns, name);
  const rows = rel.revisions.slice(-max).map((r) => ({
    revision: r.version,
    updated: r.lastDeployed,
    status: r.status,
    chart: `${r.chart.name}-${r.chart.version}`,
    app_version: r.chart.appVersion,
    description: r.description,
  }));
  out(JSON.stringify(rows));
}

function rollback(dir, ns, name, wanted) {
  const rel = load(dir, ns, name);
  const current = last(rel);
  const targetVersion = wanted === undefined ? current.version - 1 : Number(wanted);
  const target = rel.revisions.find((r) => r.version === targetVersion);
  if (!target) fail(`Error: release has no ${targetVersion} version`);
  for (const r of rel.revisions) if (r.status === 'deployed') r.status = 'superseded';
  rel.revisions.push({ ...target, version: current.version + 1, status: 'deployed', description: `Rollback to ${targetVersion}`, lastDeployed: now() });
  applyObjects(dir, ns, name, target.manifest);
  writeJson(releaseFile(dir, ns, name), rel);
  out('Rollback was a success! Happy Helming!');
}

function uninstall(dir, ns, name) {
  const rel = load(dir, ns, name, true);
  if (!rel) fail(`Error: uninstall: Release not loaded: ${name}: release: not found`);
  applyObjects(dir, ns, name, '');
  remove(releaseFile(dir, ns, name));
  out(`release "${name}" uninstalled`);
}
