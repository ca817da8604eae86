// Runs the lab's Apache config (from its ConfigMap) with Debian's apache2, and webdis, on loopback.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { closedPort } from '../helpers/peers.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { readDocuments } from './manifests.ts';

/**
 * How the config is run: `image` uses the ConfigMap's httpd.conf exactly as the official httpd
 * image does (paths moved with -C "Define …"); `lab` includes only the vhost file from a minimal
 * Debian main config, which is what a host without the image (the local lab) does.
 */
export type ApacheLayout = 'image' | 'lab';

/** Where the vhost sends /count/* and /redis/* (host:port); unset keeps the cluster defaults. */
export interface Upstreams {
  readonly app?: string;
  readonly webdis?: string;
}

/** The texts of the lab's Apache and webdis ConfigMaps (k8s/01-apache). */
export function labConfig(): { vhost: string; httpdConf: string; webdisJson: string } {
  const data = (file: string) => (readDocuments(file)[0]?.object.data ?? {}) as Record<string, string>;
  const apache = data('k8s/01-apache/B-04-k8s-apacherr-cfm.yaml');
  const webdis = data('k8s/01-apache/B-05-k8s-apacherr-webdis-cfm.yaml');
  if (!apache['apacherr.conf'] || !apache['httpd.conf'] || !webdis['webdis.json'])
    throw new Error('the Apache ConfigMaps lost a key');
  return { vhost: apache['apacherr.conf'], httpdConf: apache['httpd.conf'], webdisJson: webdis['webdis.json'] };
}

/** Debian's module directory (the official image's modules/ holds the same modules). */
const DEBIAN_MODULES = '/usr/lib/apache2/modules';

/**
 * A minimal main config for Debian's apache2 that loads what the vhost needs, listens on `listen`,
 * keeps every file under `runDir` and includes the vhost. The `defines` go before the vhost, so
 * they override its upstream defaults (APACHERR_APP_UPSTREAM, APACHERR_WEBDIS_UPSTREAM).
 */
export function labMainConfig(opts: {
  listen: string;
  runDir: string;
  vhostFile: string;
  documentRoot: string;
  defines?: Readonly<Record<string, string>>;
}): string {
  const modules = ['mpm_event', 'authz_core', 'dir', 'rewrite', 'proxy', 'proxy_http'];
  return [
    `ServerRoot "${opts.runDir}"`,
    `Listen ${opts.listen}`,
    'ServerName localhost',
    ...modules.map((m) => `LoadModule ${m}_module ${DEBIAN_MODULES}/mod_${m}.so`),
    'User www-data',
    'Group www-data',
    `PidFile "${opts.runDir}/httpd.pid"`,
    `DefaultRuntimeDir "${opts.runDir}"`,
    'ErrorLog /proc/self/fd/2',
    `DocumentRoot "${opts.documentRoot}"`,
    `<Directory "${opts.documentRoot}">`,
    '    Require all granted',
    '</Directory>',
    ...Object.entries(opts.defines ?? {}).map(([k, v]) => `Define ${k} ${v}`),
    `Include "${opts.vhostFile}"`,
    '',
  ].join('\n');
}

/** Writes a server root for `layout` under `dir` and returns apache2's arguments (without -t/-D). */
export function prepareApache(
  dir: string,
  layout: ApacheLayout,
  listen: string,
  upstreams: Upstreams = {},
  vhost = labConfig().vhost,
): string[] {
  const defines: Record<string, string> = {
    ...(upstreams.app ? { APACHERR_APP_UPSTREAM: upstreams.app } : {}),
    ...(upstreams.webdis ? { APACHERR_WEBDIS_UPSTREAM: upstreams.webdis } : {}),
  };
  for (const sub of ['conf/apacherr', 'htdocs', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'htdocs/index.html'), '<html><body><h1>It works!</h1></body></html>\n');
  writeFileSync(join(dir, 'conf/apacherr/apacherr.conf'), vhost);
  // apache2 runs as root here and its workers as www-data: they must be able to read the tree.
  for (const sub of ['', 'conf', 'conf/apacherr', 'htdocs', 'logs']) chmodSync(join(dir, sub), 0o755);
  switch (layout) {
    case 'image': {
      writeFileSync(join(dir, 'conf/apacherr/httpd.conf'), labConfig().httpdConf);
      symlinkSync(DEBIAN_MODULES, join(dir, 'modules'));
      // The image ships conf/mime.types; Debian's comes with the media-types package.
      if (existsSync('/etc/mime.types')) symlinkSync('/etc/mime.types', join(dir, 'conf/mime.types'));
      else writeFileSync(join(dir, 'conf/mime.types'), 'text/html html\n');
      const overrides = { APACHERR_ROOT: dir, APACHERR_LISTEN: listen, ...defines };
      return [
        '-f',
        join(dir, 'conf/apacherr/httpd.conf'),
        ...Object.entries(overrides).flatMap(([k, v]) => ['-C', `Define ${k} ${v}`]),
      ];
    }
    case 'lab': {
      const main = labMainConfig({
        listen,
        runDir: join(dir, 'logs'),
        vhostFile: join(dir, 'conf/apacherr/apacherr.conf'),
        documentRoot: join(dir, 'htdocs'),
        defines,
      });
      writeFileSync(join(dir, 'apache2.conf'), main);
      return ['-f', join(dir, 'apache2.conf')];
    }
    default: {
      const unreachable: never = layout;
      throw new Error(`unknown layout ${String(unreachable)}`);
    }
  }
}

export { tempDir };

/** `apache2 -t` on a layout: whether the config is accepted, and what apache2 said. */
export function configTest(t: Test, layout: ApacheLayout, vhost?: string): { ok: boolean; output: string } {
  const args = prepareApache(tempDir(t, 'apache'), layout, '127.0.0.1:8080', {}, vhost);
  const result = spawnSync('apache2', ['-t', ...args], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Spawns a long-running program with stdout/stderr in a log file (not pipes: Node's pipes are
 * sockets, which httpd cannot reopen through /proc/self/fd/2 as the config asks) and stops it at
 * teardown; `output()` returns the end of the log for failure messages.
 */
function supervise(
  t: Test,
  command: string,
  args: string[],
  dir: string,
): { child: ChildProcess; output: () => string } {
  const log = join(dir, `${command}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  return { child, output: () => readFileSync(log, 'utf8').slice(-8000) };
}

/** Whether GET url answers `status` within a short timeout. */
async function answers(url: string, status: number): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).status === status;
  } catch {
    return false;
  }
}

/** Waits until `check` holds; fails early if the program exits, and always shows what it printed. */
async function ready(
  what: string,
  child: ChildProcess,
  output: () => string,
  check: () => Promise<boolean>,
): Promise<void> {
  try {
    await waitFor(what, async () => {
      if (child.exitCode !== null) throw new Error(`${what}: exited with ${child.exitCode}`);
      return check();
    });
  } catch (cause) {
    throw new Error(`${cause instanceof Error ? cause.message : String(cause)}\n${output()}`, { cause });
  }
}

/** Starts httpd with the lab config on a free loopback port; returns its base URL. */
export async function startApache(t: Test, layout: ApacheLayout, upstreams: Upstreams): Promise<string> {
  const port = await closedPort();
  const dir = tempDir(t, 'apache');
  const args = prepareApache(dir, layout, `127.0.0.1:${port}`, upstreams);
  const { child, output } = supervise(t, 'apache2', ['-DFOREGROUND', ...args], dir);
  const base = `http://127.0.0.1:${port}`;
  await ready(`apache2 (${layout}) on port ${port}`, child, output, () => answers(`${base}/`, 200));
  return base;
}

/** Starts webdis with the ConfigMap's webdis.json, pointed at a loopback Redis; returns its host:port. */
export async function startWebdis(t: Test, redisPort: number): Promise<string> {
  const port = await closedPort();
  const config = {
    ...(JSON.parse(labConfig().webdisJson) as Record<string, unknown>),
    redis_host: '127.0.0.1',
    redis_port: redisPort,
    http_port: port,
  };
  const dir = tempDir(t, 'webdis');
  const file = join(dir, 'webdis.json');
  writeFileSync(file, JSON.stringify(config));
  const { child, output } = supervise(t, 'webdis', [file], dir);
  await ready(`webdis on port ${port}`, child, output, () => answers(`http://127.0.0.1:${port}/PING`, 200));
  return `127.0.0.1:${port}`;
}
