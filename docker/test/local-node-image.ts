/**
 * A stand-in for node:20-bookworm-slim, made without a registry: `docker import` of a root filesystem
 * holding this machine's node binary with the shared libraries it links (from ldd), its npm, and the
 * static busybox for /bin/sh and the usual commands, and this machine's CA bundle (so npm trusts what
 * the host trusts, e.g. an egress proxy). Good enough to build and run the real Dockerfiles.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { dockerWithInput } from './docker-cli.js';

const execFileAsync = promisify(execFile);
const BUSYBOX = '/bin/busybox';
const CA_BUNDLE = process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt';

async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ldd', [binary]);
  // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
  return [...stdout.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1] ?? '').filter(Boolean);
}

async function copyInto(root: string, file: string, target = file): Promise<void> {
  await mkdir(path.join(root, path.dirname(target)), { recursive: true });
  await cp(await realpath(file), path.join(root, target), { recursive: true, dereference: true });
}

/** Builds the image under `tag`; the caller removes it. */
export async function importLocalNodeImage(tag: string): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'flotilla-node-rootfs-'));
  try {
    const node = await realpath(process.execPath);
    await copyInto(root, node, '/usr/local/bin/node');
    const libs = await sharedLibraries(node);
    for (const lib of libs) await copyInto(root, lib);
    // The rest of glibc that any Debian image has (native addons such as rolldown's link librt).
    const libDir = path.dirname(libs.find((l) => path.basename(l) === 'libc.so.6') ?? '/lib/x86_64-linux-gnu/libc.so.6');
    for (const extra of ['librt.so.1', 'libresolv.so.2', 'libutil.so.1', 'libanl.so.1']) {
      await copyInto(root, path.join(libDir, extra)).catch(() => undefined);
    }

    const { stdout: npmRoot } = await execFileAsync('npm', ['root', '-g']);
    await copyInto(root, path.join(npmRoot.trim(), 'npm'), '/usr/local/lib/node_modules/npm');
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', path.join(root, 'usr/local/bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', path.join(root, 'usr/local/bin/npx'));

    await copyInto(root, BUSYBOX, '/bin/busybox');
    const { stdout: applets } = await execFileAsync(BUSYBOX, ['--list']);
    for (const applet of applets.split('\n').filter((a) => a && a !== 'busybox')) {
      await symlink('busybox', path.join(root, 'bin', applet));
    }
    await mkdir(path.join(root, 'usr/bin'), { recursive: true });
    await symlink('/bin/busybox', path.join(root, 'usr/bin/env'));

    await copyInto(root, CA_BUNDLE, '/etc/ssl/certs/ca-certificates.crt');
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n');
    await writeFile(path.join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
    for (const dir of ['root', 'home/node', 'tmp']) await mkdir(path.join(root, dir), { recursive: true });
    await chmod(path.join(root, 'tmp'), 0o1777);

    const entries = await readdir(root);
    const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', root, '-c', ...entries]);
    await dockerWithInput([
      'import',
      '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin',
      '--change', 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
      '-', tag,
    ], tar.stdout);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
