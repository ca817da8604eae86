// Recipes: the real program standing in for each container image of the lab, configured from the manifests.

import { join, posix } from 'node:path';
import type { ProgramChoice, ProgramKind } from '../../model/lab-profile.ts';
import { confine } from '../confine.ts';
import { SANDBOX_NEEDS } from '../sandbox.ts';
import {
  containerPath,
  imageName,
  imageRepository,
  mountedFiles,
  type ProgramSpec,
  type RecipeContext,
  tcpPorts,
} from './program.ts';

const base = (ctx: RecipeContext) => ({
  pod: ctx.pod.name,
  container: ctx.container.name,
  files: [],
  dirs: [],
  links: [],
  env: {},
});

/** redis-server on the container port, reachable on the pod address, no persistence. */
function redis(ctx: RecipeContext): ProgramSpec {
  const port = tcpPorts(ctx.container)[0] ?? 6379;
  return {
    ...base(ctx),
    kind: 'redis',
    dirs: [ctx.dir],
    // Protected mode would answer -DENIED to clients from other pods; the policies are what restrict it here.
    argv: [
      'redis-server',
      '--port',
      String(port),
      // Both families, as a dual-stack pod's redis listens on every address.
      '--bind',
      '0.0.0.0',
      '::',
      '--protected-mode',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      ctx.dir,
    ],
    ready: [`redis://${ctx.pod.ip}:${port}`],
    confined: { writable: [ctx.dir] },
    needs: [{ program: 'redis-server', install: 'apt-get install redis-server' }, ...SANDBOX_NEEDS],
  };
}

const HTTPD_ROOT = '/usr/local/apache2';
const DEBIAN_MODULES = '/usr/lib/apache2/modules';

/**
 * Debian's apache2 with the official image's layout rebuilt under the container's directory:
 * ConfigMaps mounted below /usr/local/apache2 land at the same place below the lab's server root,
 * any other mount below the container's directory (see containerPath), and the container's
 * command runs with every such path moved there.
 */
function apache(ctx: RecipeContext): ProgramSpec {
  const root = join(ctx.dir, 'apache2');
  const mounts = mountedFiles(ctx);
  const under = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);
  /** The host path of an absolute path of the container; other words (flags) are left alone. */
  const relocate = (word: string): string => {
    if (!word.startsWith('/')) return word;
    const path = posix.resolve(word);
    if (under(path, HTTPD_ROOT)) return confine(ctx.dir, join(root, path.slice(HTTPD_ROOT.length)));
    return mounts.some((m) => under(path, m.mountPath)) ? containerPath(ctx.dir, path) : word;
  };
  const files = mounts.flatMap(({ mountPath, files: data }) =>
    Object.entries(data).map(([name, content]) => ({
      path: confine(ctx.dir, join(relocate(mountPath), name)),
      content,
    })),
  );
  files.push({ path: join(root, 'htdocs', 'index.html'), content: '<html><body><h1>It works!</h1></body></html>\n' });
  const command = [...ctx.container.command, ...ctx.container.args];
  const args =
    command.length > 0 ? command.slice(1).map(relocate) : ['-DFOREGROUND', '-f', join(root, 'conf', 'httpd.conf')];
  const port = tcpPorts(ctx.container)[0] ?? 80;
  return {
    ...base(ctx),
    kind: 'apache',
    dirs: [ctx.dir, root, join(root, 'logs'), join(root, 'htdocs'), join(root, 'conf')],
    links: [
      [join(root, 'modules'), DEBIAN_MODULES],
      [join(root, 'conf', 'mime.types'), '/etc/mime.types'],
    ],
    files,
    // The server root is rebuilt away from /usr/local/apache2, so a config cannot name it; the lab
    // defines it as APACHERR_ROOT for any httpd config (the name this repository's lab made the
    // convention), so one config runs unchanged in the image and in the lab.
    argv: ['apache2', ...args, '-C', `Define APACHERR_ROOT ${root}`],
    ready: [`http://${ctx.pod.ip}:${port}/`],
    // Not root, Apache ignores its User and Group directives and opens its logs as the lab's uid.
    confined: { writable: [ctx.dir] },
    needs: [{ program: 'apache2', install: 'apt-get install apache2' }, ...SANDBOX_NEEDS],
  };
}

/** webdis with the config file from its ConfigMap (it listens on the pod's loopback). */
function webdis(ctx: RecipeContext): ProgramSpec {
  const files = mountedFiles(ctx).flatMap(({ mountPath, files: data }) =>
    Object.entries(data).map(([name, content]) => ({
      path: confine(ctx.dir, join(containerPath(ctx.dir, mountPath), name)),
      content,
    })),
  );
  const config = files.find((f) => f.path.endsWith('.json'));
  return {
    ...base(ctx),
    kind: 'webdis',
    dirs: [ctx.dir],
    files,
    argv: ['webdis', ...(config ? [config.path] : [])],
    ready: [],
    confined: { writable: [ctx.dir] },
    needs: [{ program: 'webdis', install: 'apt-get install webdis' }, ...SANDBOX_NEEDS],
  };
}

/** The time app in its own runtime, with the container's environment. */
function timeApp(ctx: RecipeContext): ProgramSpec {
  if (!ctx.timeApp)
    throw new Error(
      `${ctx.pod.namespace}/${ctx.pod.name} runs the time app, but ${ctx.timeAppMissing ?? 'its runtime is not prepared (run `npm run app:prepare`)'}`,
    );
  const { argv, env } = ctx.timeApp(ctx.container.env);
  const port = Number(ctx.container.env.PORT ?? tcpPorts(ctx.container)[0] ?? 5000);
  return { ...base(ctx), kind: 'time-app', argv, env, ready: [`http://${ctx.pod.ip}:${port}/version`], needs: [] };
}

/**
 * Any other image: prober's synthetic target on the container's ports, answering with the pod's
 * identity. serve answers TCP and UDP on each port number, so a UDP-only port is served too.
 */
function synthetic(ctx: RecipeContext): ProgramSpec {
  const ports = [...new Set(ctx.container.ports.filter((p) => p.protocol !== 'SCTP').map((p) => p.containerPort))];
  return {
    ...base(ctx),
    kind: 'synthetic',
    env: { POD_NAME: ctx.pod.name, POD_NAMESPACE: ctx.pod.namespace, POD_IP: ctx.pod.ip, NODE_NAME: ctx.pod.node },
    argv:
      ports.length > 0
        ? // `::` takes connections of both families (IPv4 ones as mapped addresses).
          [...ctx.prober, 'serve', '--port', ports.join(','), '--host', '::', '--name', ctx.pod.name]
        : [],
    ready: ports.map((port) => `tcp://${ctx.pod.ip}:${port}`),
    needs: [],
  };
}

const RECIPES: Readonly<Record<ProgramKind, (ctx: RecipeContext) => ProgramSpec>> = {
  redis,
  apache,
  webdis,
  'time-app': timeApp,
  synthetic,
};

/**
 * Public images the lab knows by their name alone: what their entrypoint runs and where they read
 * their config is part of the image (official redis/valkey/httpd, webdis's own), whoever deploys them.
 * Anything else — an image of one's own, such as this repository's time app — is a lab profile's
 * choice (`spec.programs`), since an image name says nothing about what a private image runs.
 */
const KNOWN_IMAGES: ReadonlyMap<string, ProgramKind> = new Map([
  ['redis', 'redis'],
  ['valkey', 'redis'],
  ['httpd', 'apache'],
  ['webdis', 'webdis'],
]);

/** The program for an image: a lab profile's choice first, then the images known by name, else synthetic. */
export function programKindFor(image: string, choices: readonly ProgramChoice[] = []): ProgramKind {
  const repository = imageRepository(image);
  const name = imageName(image);
  const chosen = choices.find((c) => (c.image.includes('/') ? c.image === repository : c.image === name));
  return chosen?.program ?? KNOWN_IMAGES.get(name) ?? 'synthetic';
}

/** Plans the program for a container: by its image, with the lab profile's choices (if any) first. */
export function programFor(ctx: RecipeContext, choices: readonly ProgramChoice[] = []): ProgramSpec {
  return RECIPES[programKindFor(ctx.container.image, choices)](ctx);
}
