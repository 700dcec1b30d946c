import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DriverError,
  type ApplyContext,
  type ComponentMetrics,
  type Driver,
  type DriverContext,
  type HealthSample,
  type Logger,
  type LogSource,
  type SupportFile,
  spawnLogSource,
} from '@flotilla/agent-core';
import type { DesiredComponent } from '@flotilla/protocol';
import { composeArgs, describeCompose, detectCompose, type ComposeCli } from './compose-cli.js';
import { execCommand, failureText, type Exec, type ExecOptions, type ExecResult } from '@flotilla/agent-core';
import { componentHealth, InspectOutput } from './health.js';
import { dockerEnvironment, projectName } from './project.js';
import { parseStats, sumByComponent, type ContainerFigures } from './stats.js';
import { dockerSocketPath, selfComposeFile, selfComposePath, updaterRunArgs, type SelfComposeDocument } from './self-compose.js';

export interface ComposeDriverOptions {
  /** The agent's state directory; component files go to `<stateDir>/components/<name>/`. */
  stateDir: string;
  logger: Logger;
  /** Runs the CLIs (tests wrap it to count calls). */
  exec?: Exec;
  /** Environment the CLIs inherit, filtered to docker's own variables (default: process.env). */
  env?: Record<string, string | undefined>;
  dockerBin?: string;
  dockerComposeV1Bin?: string;
  /** Limit for `up` (pulls can be long; default 30 min). */
  upTimeoutMs?: number;
  /** Limit for the other CLI calls (default 2 min). */
  commandTimeoutMs?: number;
  /**
   * The agent's own compose document, from the install manifest (FLOTILLA_AGENT_COMPOSE). Written to
   * the state directory at start; without it the agent cannot replace itself (self-update fails).
   */
  self?: SelfComposeDocument;
}

/** Default `--tail` of `logs` when none is asked for. */
const DEFAULT_LOG_LINES = 200;

const PROJECT_LABEL = 'com.docker.compose.project';

/**
 * Where the customer's license is: `<stateDir>/license/license`. The compose CLI gets both paths as
 * FLOTILLA_LICENSE_DIR and FLOTILLA_LICENSE_FILE, so a vendor's compose file mounts the folder
 * (`${FLOTILLA_LICENSE_DIR}:/run/flotilla-license:ro`) and sees each new license at once (a mounted
 * single file would keep showing the old one: the file is replaced, not rewritten).
 */
export function licensePaths(stateDir: string): { dir: string; file: string } {
  const dir = path.join(stateDir, 'license');
  return { dir, file: path.join(dir, 'license') };
}

/** The paths of one component's files. */
export function componentPaths(stateDir: string, name: string): { dir: string; file: string; envFile: string } {
  const dir = path.join(stateDir, 'components', name);
  return { dir, file: path.join(dir, 'compose.yaml'), envFile: path.join(dir, '.env') };
}

/**
 * Applies compose components with `docker compose` (v2 plugin) or `docker-compose` (v1). Each
 * component is one compose project, `flt-<installation 8>-<name>`, whose files live in
 * `<stateDir>/components/<name>/`. Health comes from the project's containers (`docker ps` by
 * project label + `docker inspect`): container state and Docker healthchecks.
 */
export class ComposeDriver implements Driver {
  readonly kind = 'compose' as const;
  private cli: Promise<ComposeCli> | undefined;
  private readonly exec: Exec;
  private readonly docker: string;
  private readonly dockerComposeV1: string;
  private readonly env: Record<string, string>;

  constructor(private readonly opts: ComposeDriverOptions) {
    this.exec = opts.exec ?? execCommand;
    this.docker = opts.dockerBin ?? 'docker';
    this.dockerComposeV1 = opts.dockerComposeV1Bin ?? 'docker-compose';
    const license = licensePaths(opts.stateDir);
    this.env = { ...dockerEnvironment(opts.env ?? process.env), FLOTILLA_LICENSE_DIR: license.dir, FLOTILLA_LICENSE_FILE: license.file };
  }

  async init(ctx: DriverContext): Promise<void> {
    const cli = await this.compose();
    await mkdir(path.join(this.opts.stateDir, 'components'), { recursive: true, mode: 0o700 });
    // Exists before any service mounts it (docker would create a root-owned folder otherwise).
    await mkdir(licensePaths(this.opts.stateDir).dir, { recursive: true, mode: 0o755 });
    ctx.logger.info({ compose: describeCompose(cli), variant: cli.variant }, 'compose detected');
    if (this.opts.self !== undefined) {
      const file = selfComposePath(this.opts.stateDir);
      await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await writeAtomic(file, selfComposeFile(this.opts.self), 0o600);
    }
    const info = await this.run(this.docker, ['info', '--format', '{{.ServerVersion}}']);
    if (info.code !== 0) ctx.logger.warn({ error: failureText(info, 500) }, 'docker engine not reachable yet');
  }

  async runtimeInfo(): Promise<string> {
    const cli = await this.compose();
    const server = await this.run(this.docker, ['version', '--format', '{{.Server.Version}}']);
    if (server.code === 0 && server.stdout.trim() !== '') return `docker ${server.stdout.trim()} / ${describeCompose(cli)}`;
    const client = await this.run(this.docker, ['version', '--format', '{{.Client.Version}}']);
    return `docker ${client.stdout.trim() || '?'} (engine unreachable) / ${describeCompose(cli)}`;
  }

  async apply(component: DesiredComponent, ctx: ApplyContext): Promise<void> {
    if (component.kind !== 'compose') throw new DriverError(`component "${component.name}" is not a compose component`);
    const cli = await this.compose();
    const project = projectName(ctx.installationId, component.name);
    const paths = componentPaths(this.opts.stateDir, component.name);
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    const before = await readIfExists(paths.file);
    const envBefore = await readIfExists(paths.envFile);
    await writeAtomic(paths.file, component.spec.file, 0o644);
    await writeAtomic(paths.envFile, component.spec.env ?? '', 0o600);

    // A redeploy (force) recreates the containers even where compose sees no change.
    const args = composeArgs(cli, project, paths.file, paths.envFile, ['up', '-d', '--remove-orphans', ...(ctx.force ? ['--force-recreate'] : [])]);
    ctx.logger.info({ component: component.name, version: component.version, project }, 'compose up');
    // The installation's environment (values and secrets) reaches compose as process environment
    // only: `${VAR}` in the file and `environment: [VAR]` resolve to it, and no secret is written
    // into the component's folder (.env holds the version's own template only).
    const env = { ...this.env, ...(component.spec.environment ?? {}) };
    const result = await this.run(cli.command, args, { cwd: paths.dir, env, timeoutMs: this.opts.upTimeoutMs ?? 30 * 60_000 });
    if (result.code === 0) return;

    // Keep the files describing what still runs (compose fails on pull/create before touching it).
    if (before !== undefined) {
      await writeAtomic(paths.file, before, 0o644);
      await writeAtomic(paths.envFile, envBefore ?? '', 0o600);
    }
    throw new DriverError(failureText(result), { project, command: [cli.command, ...args].join(' '), exitCode: result.code });
  }

  async license(license: string | null): Promise<void> {
    const paths = licensePaths(this.opts.stateDir);
    if (license === null) {
      await rm(paths.file, { force: true });
      return;
    }
    await mkdir(paths.dir, { recursive: true, mode: 0o755 });
    // Readable by the services' users; a license is the customer's own, not a secret of the agent.
    await writeAtomic(paths.file, license, 0o644);
  }

  async remove(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    const project = projectName(ctx.installationId, component.name);
    const paths = componentPaths(this.opts.stateDir, component.name);
    ctx.logger.info({ component: component.name, project }, 'compose down');
    let removed = false;
    if ((await readIfExists(paths.file)) !== undefined) {
      const cli = await this.compose();
      const args = composeArgs(cli, project, paths.file, paths.envFile, ['down', '--remove-orphans']);
      const result = await this.run(cli.command, args, { cwd: paths.dir });
      removed = result.code === 0;
      if (!removed) ctx.logger.warn({ project, error: failureText(result, 1000) }, 'compose down failed; removing by label');
    }
    if (!removed) await this.removeByLabel(project);
    await rm(paths.dir, { recursive: true, force: true });
  }

  /** `compose restart`: the component's containers restart with their current configuration. */
  async restart(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    const result = await this.composeCall(component, ctx, ['restart']);
    if (result.code !== 0) throw new DriverError(failureText(result), { component: component.name, exitCode: result.code });
  }

  /** `compose logs --no-color --tail N`: the last N lines of each container, prefixed with its name. */
  async logs(component: DesiredComponent, lines: number, ctx: DriverContext): Promise<string[]> {
    const tail = Number.isInteger(lines) && lines > 0 ? lines : DEFAULT_LOG_LINES;
    const result = await this.composeCall(component, ctx, ['logs', '--no-color', '--tail', String(tail)]);
    if (result.code !== 0) throw new DriverError(failureText(result), { component: component.name, exitCode: result.code });
    // docker-compose v1 starts with an "Attaching to <containers>" line that is not a log line.
    const out = result.stdout.replace(/^Attaching to .*\n/, '').replace(/\n$/, '');
    return out === '' ? [] : out.split('\n');
  }

  /** `compose logs -f --no-color --tail N`: every container of the component, followed, prefixed with its name. */
  async followLogs(component: DesiredComponent, tail: number, ctx: DriverContext): Promise<LogSource> {
    const paths = componentPaths(this.opts.stateDir, component.name);
    if ((await readIfExists(paths.file)) === undefined) throw new DriverError(`component "${component.name}" has not been applied on this host`);
    const cli = await this.compose();
    const args = composeArgs(cli, projectName(ctx.installationId, component.name), paths.file, paths.envFile, ['logs', '-f', '--no-color', '--tail', String(tail)]);
    ctx.logger.debug({ command: cli.command, args: args.join(' ') }, 'following logs');
    return spawnLogSource(cli.command, args, { cwd: paths.dir, env: this.env });
  }

  /**
   * Support bundle runtime facts per component: `compose ps` (JSON) and `docker inspect` of its
   * containers; plus the Docker engine's `docker version`. A failing call is written into its file.
   */
  async supportFiles(components: readonly DesiredComponent[], ctx: DriverContext): Promise<SupportFile[]> {
    const files: SupportFile[] = [];
    const version = await this.run(this.docker, ['version', '--format', '{{json .}}']);
    files.push(jsonOrText('docker-version.json', 'The Docker client and engine versions (`docker version`)', version));
    for (const c of components) {
      const project = projectName(ctx.installationId, c.name);
      // docker-compose v1 has no JSON output: its table is kept as text.
      const v1 = (await this.compose()).variant === 'v1';
      const ps = await this.composeCall(c, ctx, v1 ? ['ps', '--all'] : ['ps', '--all', '--format', 'json']).catch((err: unknown) => ({ code: 1, stdout: '', stderr: err instanceof Error ? err.message : String(err) }));
      const description = `The containers of "${c.name}" (\`compose ps --all\`)`;
      files.push(v1 && ps.code === 0 ? { name: `${c.name}/compose-ps.txt`, description, text: ps.stdout } : jsonOrText(`${c.name}/compose-ps.json`, description, ps));
      const ids = await this.projectContainers(project);
      if (ids.length === 0) {
        files.push({ name: `${c.name}/inspect.json`, description: `The containers of "${c.name}" (\`docker inspect\`)`, json: [] });
        continue;
      }
      const inspect = await this.run(this.docker, ['inspect', ...ids]);
      files.push(jsonOrText(`${c.name}/inspect.json`, `The containers of "${c.name}" (\`docker inspect\`): configuration, state, health`, inspect));
    }
    return files;
  }

  /**
   * Starts the one-shot updater container from `image`; it rewrites the agent's own compose file and
   * runs `up -d`, so compose replaces this agent's container with one running the new image.
   */
  async selfUpdate(image: string, ctx: DriverContext): Promise<void> {
    const self = this.opts.self;
    if (self === undefined) {
      throw new DriverError('this agent cannot replace itself: it was not started from the hub\'s install manifest (FLOTILLA_AGENT_COMPOSE is not set)');
    }
    const args = updaterRunArgs({ image, project: self.name, stateDir: this.opts.stateDir, socket: dockerSocketPath(this.opts.env ?? process.env), suffix: randomBytes(3).toString('hex') });
    ctx.logger.info({ image, project: self.name }, 'starting the agent updater');
    const result = await this.run(this.docker, args, { timeoutMs: this.opts.upTimeoutMs ?? 30 * 60_000 });
    if (result.code !== 0) throw new DriverError(failureText(result), { command: ['docker', ...args].join(' '), exitCode: result.code });
  }

  async health(components: readonly DesiredComponent[], ctx: DriverContext): Promise<Map<string, HealthSample>> {
    const entries = await Promise.all(
      components.map(async (c) => [c.name, await this.projectHealth(projectName(ctx.installationId, c.name))] as const),
    );
    return new Map(entries);
  }

  /**
   * CPU and memory from one `docker stats --no-stream` over the running containers of all the
   * components' projects, restarts from `docker inspect`. A component without containers is left out.
   */
  async metrics(components: readonly DesiredComponent[], ctx: DriverContext): Promise<ComponentMetrics> {
    const owners = new Map<string, string>(); // container id → component
    for (const c of components) for (const id of await this.projectContainers(projectName(ctx.installationId, c.name))) owners.set(id, c.name);
    if (owners.size === 0) return { components: [] };
    const inspect = await this.run(this.docker, ['inspect', ...owners.keys()]);
    const parsed = InspectOutput.safeParse(safeJson(inspect.stdout));
    if (!parsed.success) throw new DriverError(`docker inspect failed: ${failureText(inspect, 1000)}`);
    const running = parsed.data.filter((c) => c.State.Status === 'running').map((c) => c.Id);
    let stats = new Map<string, { cpuPercent: number; memoryBytes: number }>();
    if (running.length > 0) {
      const result = await this.run(this.docker, ['stats', '--no-stream', '--no-trunc', '--format', '{{json .}}', ...running]);
      if (result.code !== 0) throw new DriverError(`docker stats failed: ${failureText(result, 1000)}`);
      stats = parseStats(result.stdout);
    }
    const figures = parsed.data.flatMap((c): ContainerFigures[] => {
      const component = owners.get(c.Id);
      return component === undefined ? [] : [{ component, restarts: c.RestartCount, stats: stats.get(c.Id) }];
    });
    return { components: sumByComponent(figures) };
  }

  /** The detected compose CLI (detected once). */
  compose(): Promise<ComposeCli> {
    this.cli ??= detectCompose(this.exec, { docker: this.docker, dockerComposeV1: this.dockerComposeV1 }, this.execOptions()).catch(
      (err: unknown) => {
        this.cli = undefined; // let a later call detect again (e.g. after the plugin was installed)
        throw err;
      },
    );
    return this.cli;
  }

  /** A compose call on an applied component's project (its files must exist: it was applied). */
  private async composeCall(component: DesiredComponent, ctx: DriverContext, args: readonly string[]): Promise<ExecResult> {
    const paths = componentPaths(this.opts.stateDir, component.name);
    if ((await readIfExists(paths.file)) === undefined) throw new DriverError(`component "${component.name}" has not been applied on this host`);
    const cli = await this.compose();
    return this.run(cli.command, composeArgs(cli, projectName(ctx.installationId, component.name), paths.file, paths.envFile, args), { cwd: paths.dir });
  }

  private async projectHealth(project: string): Promise<HealthSample> {
    const ids = await this.projectContainers(project);
    if (ids.length === 0) return componentHealth([], project);
    const inspect = await this.run(this.docker, ['inspect', ...ids]);
    // A container removed between ps and inspect makes inspect exit 1 but still print the others.
    let parsed = InspectOutput.safeParse(safeJson(inspect.stdout));
    if (!parsed.success && inspect.code !== 0) {
      const again = await this.run(this.docker, ['inspect', ...(await this.projectContainers(project))]);
      parsed = InspectOutput.safeParse(safeJson(again.stdout));
    }
    if (!parsed.success) return { health: 'unknown', message: `docker inspect failed: ${failureText(inspect, 1000)}` };
    return componentHealth(parsed.data, project);
  }

  private async projectContainers(project: string): Promise<string[]> {
    const ps = await this.run(this.docker, ['ps', '-a', '-q', '--no-trunc', '--filter', `label=${PROJECT_LABEL}=${project}`]);
    if (ps.code !== 0) throw new DriverError(`docker ps failed: ${failureText(ps, 1000)}`);
    return ps.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }

  private async removeByLabel(project: string): Promise<void> {
    const ids = await this.projectContainers(project);
    if (ids.length > 0) {
      const rmResult = await this.run(this.docker, ['rm', '-f', ...ids]);
      if (rmResult.code !== 0) throw new DriverError(failureText(rmResult), { project });
    }
    const nets = await this.run(this.docker, ['network', 'ls', '-q', '--filter', `label=${PROJECT_LABEL}=${project}`]);
    const netIds = nets.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    if (netIds.length > 0) await this.run(this.docker, ['network', 'rm', ...netIds]);
  }

  private execOptions(extra: Partial<ExecOptions> = {}): ExecOptions {
    return { env: this.env, timeoutMs: this.opts.commandTimeoutMs ?? 120_000, ...extra };
  }

  private async run(command: string, args: readonly string[], extra: Partial<ExecOptions> = {}): Promise<ExecResult> {
    const started = Date.now();
    const result = await this.exec(command, args, this.execOptions(extra));
    this.opts.logger.debug({ command, args: args.join(' '), code: result.code, ms: Date.now() - started }, 'cli call');
    return result;
  }
}

export function createComposeDriver(opts: ComposeDriverOptions): ComposeDriver {
  return new ComposeDriver(opts);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content, { mode });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A CLI's JSON answer as JSON; `compose ps` prints one object per line on some versions; else its text and exit code. */
function jsonOrText(name: string, description: string, result: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>): SupportFile {
  const json = safeJson(result.stdout);
  if (result.code === 0 && json !== undefined) return { name, description, json };
  const lines = result.stdout.split('\n').filter((l) => l.trim() !== '').map(safeJson);
  if (result.code === 0 && lines.length > 0 && lines.every((l) => l !== undefined)) return { name, description, json: lines };
  return { name: name.replace(/\.json$/, '.txt'), description, text: `exit code ${result.code}\n${result.stdout}\n${result.stderr}` };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
