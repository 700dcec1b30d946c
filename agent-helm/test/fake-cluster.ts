import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The folder holding the fake `helm` and `kubectl` (see fakes/README.md); put it first on PATH. */
export const FAKES_BIN = fileURLToPath(new URL('./fakes/bin', import.meta.url));

const run = promisify(execFile);

/** One call the fakes recorded. */
export interface FakeCall {
  tool: 'helm' | 'kubectl';
  argv: string[];
  stdin: string;
  envKeys: string[];
}

export interface FakeRevision {
  version: number;
  status: string;
  description: string;
  chart: { name: string; version: string; source: string };
  values: Record<string, unknown>;
}

export interface FakeObject {
  kind: string;
  metadata: { name: string; generation?: number; annotations?: Record<string, string> };
  spec: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: { name: string; image: string }[] } } };
}

/**
 * A fake cluster for the fake CLIs: a temp folder named by KUBECONFIG, holding releases, live
 * objects, the call log and the test knobs (unready workloads, required chart credentials).
 */
export class FakeCluster {
  private constructor(readonly dir: string) {}

  static async create(): Promise<FakeCluster> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-fake-cluster-'));
    await writeFile(path.join(dir, 'kubeconfig'), '# fake cluster: the fake helm/kubectl keep their state beside this file\n');
    return new FakeCluster(dir);
  }

  get kubeconfig(): string {
    return path.join(this.dir, 'kubeconfig');
  }

  /** PATH with the fakes first (a real kubectl may exist on this machine) and KUBECONFIG naming this cluster. */
  env(base: Record<string, string | undefined> = process.env): Record<string, string> {
    return { PATH: `${FAKES_BIN}:${base.PATH ?? '/usr/bin:/bin'}`, KUBECONFIG: this.kubeconfig };
  }

  async calls(): Promise<FakeCall[]> {
    const file = path.join(this.dir, 'calls.log');
    if (!existsSync(file)) return [];
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as FakeCall);
  }

  /** The helm calls of one subcommand (`upgrade`, `rollback`…), in order. */
  async helmCalls(subcommand: string): Promise<FakeCall[]> {
    return (await this.calls()).filter((c) => c.tool === 'helm' && c.argv[0] === subcommand);
  }

  async revisions(namespace: string, release: string): Promise<FakeRevision[] | undefined> {
    const rel = await readJsonFile<{ revisions: FakeRevision[] }>(path.join(this.dir, 'releases', namespace, `${release}.json`));
    return rel?.revisions;
  }

  async object(namespace: string, kind: string, name: string): Promise<FakeObject | undefined> {
    return readJsonFile<FakeObject>(path.join(this.dir, 'objects', namespace, kind, `${name}.json`));
  }

  async putObject(namespace: string, object: FakeObject): Promise<void> {
    const file = path.join(this.dir, 'objects', namespace, object.kind, `${object.metadata.name}.json`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(object));
  }

  /** Makes a workload not ready: "" rolling out, "deadline" past its progress deadline, "lost" lost its pods, "failed" (Jobs). */
  async setUnready(name: string, mode: '' | 'deadline' | 'lost' | 'failed' = ''): Promise<void> {
    await mkdir(path.join(this.dir, 'unready'), { recursive: true });
    await writeFile(path.join(this.dir, 'unready', name), mode);
  }

  async setReady(name: string): Promise<void> {
    await rm(path.join(this.dir, 'unready', name), { force: true });
  }

  /** From now on every chart repository and OCI registry requires these credentials. */
  async requireAuth(credentials: { username: string; password: string }): Promise<void> {
    await writeFile(path.join(this.dir, 'auth.json'), JSON.stringify(credentials));
  }

  /** Runs the fake helm by hand, as an operator would (`helm upgrade …`, `helm rollback …`). */
  async helm(args: string[]): Promise<string> {
    return (await run(path.join(FAKES_BIN, 'helm'), args, { env: this.env() })).stdout;
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function readJsonFile<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
