/**
 * Test support shared with other packages' tests (import '@flotilla/agent-compose/test/images'):
 * tiny local images built with `docker import` from the static busybox, so tests need no registry,
 * plus helpers to write compose files for them, find free ports and clean up.
 *
 * Every test service uses `network_mode: host` and binds 127.0.0.1 only: no Docker network is created.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Repository of the test web images; the tag is the version the image serves. */
export const TEST_IMAGE_REPO = 'flotilla-test/web';

/** A tag no registry has (and none is reachable): `up` with it fails on pull. */
export const MISSING_IMAGE = 'flotilla-test/does-not-exist:v0';

export function testImage(version: string): string {
  return `${TEST_IMAGE_REPO}:${version}`;
}

const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

async function docker(args: string[], input?: { timeoutMs?: number }): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync('docker', args, { timeout: input?.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 });
}

/** Throws (so tests fail, not skip) when the Docker engine cannot be used. */
export async function assertDockerAvailable(): Promise<void> {
  try {
    await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Docker is required for these tests but is not available (${detail.split('\n')[0] ?? ''}). ` +
        'Install and start it: apt-get install -y docker.io docker-compose busybox-static && ' +
        'dockerd --bridge=none --iptables=false --ip-forward=false &',
    );
  }
}

/** Bumped whenever the image recipe changes, so stale local images are rebuilt. */
const RECIPE = '2';
const RECIPE_LABEL = 'org.flotilla.test-image-recipe';

async function imageIsCurrent(tag: string): Promise<boolean> {
  try {
    const { stdout } = await docker(['image', 'inspect', '--format', `{{index .Config.Labels "${RECIPE_LABEL}"}}`, tag]);
    return stdout.trim() === RECIPE;
  } catch {
    return false;
  }
}

/**
 * Builds `flotilla-test/web:<version>` for each version unless it exists already (idempotent, ~0.3 s
 * per missing image). The image runs `busybox httpd` on 127.0.0.1:$PORT (default 8080) serving
 * `<version>\n` at `/`, stops at once on SIGTERM, and has busybox's applets (sh, wget, sleep…) on
 * PATH for healthchecks.
 */
export async function ensureTestImages(versions: readonly string[] = ['v1', 'v2']): Promise<string[]> {
  const tags = versions.map(testImage);
  for (const [i, tag] of tags.entries()) {
    if (await imageIsCurrent(tag)) continue;
    await buildImage(tag, versions[i] ?? tag);
  }
  return tags;
}

async function buildImage(tag: string, version: string): Promise<void> {
  const busybox = BUSYBOX_CANDIDATES.find((p) => existsSync(p));
  if (busybox === undefined) throw new Error('busybox not found: apt-get install -y busybox-static');
  const work = await mkdtemp(path.join(os.tmpdir(), 'flotilla-image-'));
  try {
    const root = path.join(work, 'rootfs');
    await mkdir(path.join(root, 'bin'), { recursive: true });
    await mkdir(path.join(root, 'www'), { recursive: true });
    await mkdir(path.join(root, 'tmp'), { recursive: true, mode: 0o1777 });
    await copyFile(busybox, path.join(root, 'bin', 'busybox'));
    const { stdout } = await execFileAsync(busybox, ['--list']);
    const applets = stdout.split('\n').map((a) => a.trim()).filter((a) => a !== '' && a !== 'busybox' && !a.includes('/'));
    await Promise.all(applets.map((a) => symlink('busybox', path.join(root, 'bin', a))));
    await writeFile(path.join(root, 'www', 'index.html'), `${version}\n`);
    const tar = path.join(work, 'rootfs.tar');
    await execFileAsync('tar', ['-C', root, '-cf', tar, '.']);
    await docker([
      'import',
      '--change', 'ENV PATH=/bin',
      '--change', 'WORKDIR /',
      '--change', `LABEL ${RECIPE_LABEL}=${RECIPE}`,
      // sh as PID 1 traps SIGTERM so `docker stop` / `compose down` take milliseconds, not the 10 s grace.
      '--change', `CMD ["/bin/sh", "-c", "trap 'exit 0' TERM INT; httpd -f -p 127.0.0.1:\${PORT:-8080} -h /www & wait"]`,
      '--message', `flotilla test image serving ${version}`,
      tar,
      tag,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface WebServiceOptions {
  /** Image to run; default the v1 test image. */
  image?: string;
  /** Service name (default web). */
  service?: string;
  /** Add a Docker healthcheck that fetches `/` (default true). */
  healthcheck?: boolean;
  /** Port variable used in the file, set through the env file (default PORT). */
  portVariable?: string;
  /**
   * Restart policy (default unless-stopped, as production services have). With "no", a container
   * that exits 0 counts as a completed one-shot (e.g. a migrator), not as a stopped service.
   */
  restart?: 'no' | 'always' | 'unless-stopped' | 'on-failure';
}

/**
 * A compose file with one test web service on the host network. The port comes from the env file
 * (`PORT=<n>`, see `webEnv`), which exercises `--env-file` interpolation.
 */
export function webComposeFile(options: WebServiceOptions = {}): string {
  const image = options.image ?? testImage('v1');
  const service = options.service ?? 'web';
  const port = options.portVariable ?? 'PORT';
  const lines = [
    'services:',
    `  ${service}:`,
    `    image: ${image}`,
    '    network_mode: host',
    `    restart: "${options.restart ?? 'unless-stopped'}"`,
    '    environment:',
    `      PORT: "\${${port}}"`,
  ];
  if (options.healthcheck ?? true) {
    lines.push(
      '    healthcheck:',
      `      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:\${${port}}/"]`,
      '      interval: 1s',
      '      timeout: 2s',
      '      retries: 2',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function webEnv(port: number, variable = 'PORT'): string {
  return `${variable}=${port}\n`;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET http://127.0.0.1:<port>/ → body text, or undefined when nothing answers. */
export async function fetchServed(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return (await res.text()).trim();
  } catch {
    return undefined;
  }
}

/** Ids of all containers whose compose project starts with `prefix`. */
export async function containersOfProjects(prefix: string): Promise<string[]> {
  const { stdout } = await docker(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Label "com.docker.compose.project"}}']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([id, project]) => id !== undefined && id !== '' && project !== undefined && project.startsWith(prefix))
    .map(([id]) => id ?? '');
}

/** Force-removes every container of the compose projects starting with `prefix` (test cleanup). */
export async function removeProjects(prefix: string): Promise<void> {
  const ids = await containersOfProjects(prefix);
  if (ids.length > 0) await docker(['rm', '-f', ...ids]);
}
