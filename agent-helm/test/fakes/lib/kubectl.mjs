// The fake `kubectl`: get (with status computed like the controllers would), rollout restart,
// logs, set image, version. Shapes follow the Kubernetes API reference: see ../README.md.
import { clusterDir, fail, objectFile, parseArgs, readJson, record, unreadyMode, writeJson } from './cluster.mjs';

const VALUE_FLAGS = ['--namespace', '-n', '-o', '--output', '--tail', '--all-containers', '--prefix'];
const BOOL_FLAGS = ['--client', '--ignore-not-found'];
const KINDS = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet', job: 'Job', configmap: 'ConfigMap' };
const GROUPS = { Deployment: 'deployments.apps', StatefulSet: 'statefulsets.apps', DaemonSet: 'daemonsets.apps', Job: 'jobs.batch', ConfigMap: 'configmaps' };

export function main(argv) {
  const dir = clusterDir();
  const { positionals, flags } = parseArgs(argv, VALUE_FLAGS, BOOL_FLAGS);
  record(dir, 'kubectl', argv, '');
  const ns = flags['--namespace'] ?? flags['-n'] ?? 'default';
  const [cmd, sub] = positionals;
  if (cmd === 'version') return out(JSON.stringify({ clientVersion: { major: '1', minor: '31', gitVersion: 'v1.31.4', platform: 'linux/amd64' }, kustomizeVersion: 'v5.4.2' }));
  if (cmd === 'get') return get(dir, ns, positionals.slice(1), flags['--ignore-not-found'] === 'true');
  if (cmd === 'rollout' && sub === 'restart') return restart(dir, ns, positionals.slice(2));
  if (cmd === 'logs') return logs(dir, ns, positionals[1], Number(flags['--tail'] ?? -1), flags['--prefix'] === 'true');
  if (cmd === 'set' && sub === 'image') return setImage(dir, ns, positionals[2], positionals[3]);
  fail(`error: unknown command "${cmd}" for "kubectl"`);
}

function out(text) {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function parseRef(ref) {
  const [type, name] = ref.split('/');
  const kind = KINDS[type];
  if (!kind || !name) fail(`error: the server doesn't have a resource type "${type}"`);
  return { kind, name };
}

function notFound(kind, name) {
  return `Error from server (NotFound): ${GROUPS[kind]} "${name}" not found`;
}

function get(dir, ns, refs, ignoreNotFound) {
  const objects = [];
  for (const ref of refs.map(parseRef)) {
    const obj = readJson(objectFile(dir, ns, ref.kind, ref.name));
    if (obj) objects.push(withStatus(dir, obj));
    else if (!ignoreNotFound) fail(notFound(ref.kind, ref.name));
  }
  if (objects.length === 0) return; // --ignore-not-found prints nothing
  if (refs.length === 1) return out(JSON.stringify(objects[0]));
  out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } }));
}

/** The status a controller would report: ready, still rolling out, past its deadline, or a failed Job. */
function withStatus(dir, obj) {
  const mode = unreadyMode(dir, obj.metadata.name);
  const gen = obj.metadata.generation ?? 1;
  const want = obj.spec?.replicas ?? 1;
  switch (obj.kind) {
    case 'Deployment': {
      if (mode === undefined) {
        return { ...obj, status: { observedGeneration: gen, replicas: want, updatedReplicas: want, readyReplicas: want, availableReplicas: want, conditions: [cond('Available', 'True', 'MinimumReplicasAvailable'), cond('Progressing', 'True', 'NewReplicaSetAvailable')] } };
      }
      const progressing = mode === 'deadline' ? cond('Progressing', 'False', 'ProgressDeadlineExceeded') : cond('Progressing', 'True', mode === 'lost' ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated');
      return { ...obj, status: { observedGeneration: gen, replicas: want, updatedReplicas: want, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: want, conditions: [cond('Available', 'False', 'MinimumReplicasUnavailable'), progressing] } };
    }
    case 'StatefulSet': {
      const ready = mode === undefined ? want : 0;
      return { ...obj, status: { observedGeneration: gen, replicas: want, readyReplicas: ready, currentReplicas: want, updatedReplicas: want, currentRevision: `${obj.metadata.name}-1`, updateRevision: `${obj.metadata.name}-1` } };
    }
    case 'DaemonSet': {
      const available = mode === undefined ? 1 : 0;
      return { ...obj, status: { observedGeneration: gen, desiredNumberScheduled: 1, currentNumberScheduled: 1, updatedNumberScheduled: 1, numberReady: available, numberAvailable: available } };
    }
    case 'Job': {
      if (mode === undefined) return { ...obj, status: { succeeded: 1, conditions: [cond('Complete', 'True')] } };
      if (mode === 'failed') return { ...obj, status: { failed: 1, conditions: [cond('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] } };
      return { ...obj, status: { active: 1 } };
    }
    default:
      return obj;
  }
}

function cond(type, status, reason, message) {
  return { type, status, lastTransitionTime: new Date().toISOString(), ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

function restart(dir, ns, refs) {
  for (const ref of refs.map(parseRef)) {
    if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(ref.kind)) fail(`error: ${ref.kind.toLowerCase()}s "${ref.name}" restarting is not supported`);
    const file = objectFile(dir, ns, ref.kind, ref.name);
    const obj = readJson(file);
    if (!obj) fail(notFound(ref.kind, ref.name));
    const template = obj.spec.template ?? {};
    const annotations = { ...(template.metadata?.annotations ?? {}), 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() };
    obj.spec.template = { ...template, metadata: { ...(template.metadata ?? {}), annotations } };
    obj.metadata.generation = (obj.metadata.generation ?? 1) + 1;
    writeJson(file, obj);
    out(`${ref.kind.toLowerCase()}.apps/${ref.name} restarted`);
  }
}

function logs(dir, ns, refText, tail, prefix) {
  const ref = parseRef(refText);
  const obj = readJson(objectFile(dir, ns, ref.kind, ref.name));
  if (!obj) fail(notFound(ref.kind, ref.name));
  const container = obj.spec.template?.spec?.containers?.[0] ?? { name: 'main', image: 'unknown' };
  const pod = `${ref.name}-7d9f8b6c5d-x2k4p`;
  const restarted = obj.spec.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
  const lines = [`starting ${container.image}`, 'listening on :8080', ...(restarted ? [`restarted at ${restarted}`] : []), 'GET /healthz 200', 'GET /healthz 200'];
  const shown = tail >= 0 ? lines.slice(-tail) : lines;
  out(shown.map((l) => (prefix ? `[pod/${pod}/${container.name}] ${l}` : l)).join('\n'));
}

function setImage(dir, ns, refText, assignment) {
  const ref = parseRef(refText);
  const file = objectFile(dir, ns, ref.kind, ref.name);
  const obj = readJson(file);
  if (!obj) fail(notFound(ref.kind, ref.name));
  const [name, image] = (assignment ?? '').split('=');
  const containers = obj.spec.template.spec.containers;
  const target = containers.find((c) => c.name === name);
  if (!target) fail(`error: unable to find container named "${name}"`);
  target.image = image;
  obj.metadata.generation = (obj.metadata.generation ?? 1) + 1;
  writeJson(file, obj);
  out(`deployment.apps/${ref.name} image updated`);
}
