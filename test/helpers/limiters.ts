// Real rate limiters from Debian as test peers, in the foreground on a free loopback port, killed at
// teardown: nginx's limit_req (a leaky bucket, `burst` on top) and an HAProxy stick table.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { accepting, runInForeground } from './foreground.ts';
import { freePort } from './haproxy.ts';
import { tempDir } from './temp.ts';

/** A running limiter: the URL of its limited page. */
export interface Limiter {
  readonly url: string;
}

/**
 * nginx with `limit_req` at `rate` (nginx's syntax: `10r/s`) per client address, `burst` served at
 * once (`nodelay`) and rejections answered 429 (`limit_req_status`; nginx's default is 503) with a
 * `Retry-After`. One process (`master_process off`) with its own prefix, no system service.
 * ngx_http_limit_req_module.c: the zone keeps `excess` in thousandths of a request, drained at the
 * rate, and rejects once it passes `burst`.
 */
export async function startNginx(
  t: Test,
  options: {
    rate: string;
    burst?: number;
    status?: number;
    /** Listen in this network namespace, on `host` and `port` there, instead of a free loopback port here. */
    netns?: { name: string; host: string; port: number };
  },
): Promise<Limiter> {
  const dir = tempDir(t, 'nginx');
  const host = options.netns?.host ?? '127.0.0.1';
  const port = options.netns?.port ?? (await freePort());
  mkdirSync(join(dir, 'www'));
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(join(dir, 'www', 'ok'), 'ok\n');
  const burst = options.burst ? ` burst=${options.burst} nodelay` : '';
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      'error_log stderr error;',
      'events { worker_connections 8192; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(dir, 'tmp', k)};`),
      '  keepalive_requests 1000000;',
      `  limit_req_zone $binary_remote_addr zone=perclient:1m rate=${options.rate};`,
      `  limit_req_status ${options.status ?? 429};`,
      '  limit_req_log_level info;',
      '  server {',
      `    listen ${host}:${port};`,
      `    root ${join(dir, 'www')};`,
      '    location / {',
      `      limit_req zone=perclient${burst};`,
      '      add_header Retry-After 1 always;',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const nginx = ['nginx', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'] as const;
  const ns = options.netns?.name;
  // In a namespace, whether it accepts is asked from inside it too (bash's /dev/tcp): the host has no route there.
  await runInForeground(t, 'nginx', ns ? ['ip', 'netns', 'exec', ns, ...nginx] : nginx, () =>
    ns
      ? Promise.resolve(
          spawnSync('ip', ['netns', 'exec', ns, 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`]).status === 0,
        )
      : accepting(host, port),
  );
  return { url: `http://${host}:${port}/ok` };
}

/**
 * HAProxy answering by itself, limiting each client address with a stick table: a request is denied
 * 429 while the client's accepted requests over the last second (`gpc0_rate(1s)`, counted only for
 * accepted ones with `sc-inc-gpc0`) reach `perSecond`. Counting every request instead
 * (`http_req_rate`) would deny everything once the offered rate passes the limit.
 */
export async function startHaproxyLimiter(t: Test, options: { perSecond: number }): Promise<Limiter> {
  const dir = tempDir(t, 'haproxy-limit');
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 8192',
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      '  timeout client 10s',
      '  timeout server 10s',
      '  timeout http-keep-alive 10s',
      'backend per_client',
      '  stick-table type ip size 1k expire 30s store gpc0,gpc0_rate(1s)',
      'frontend limited',
      `  bind 127.0.0.1:${port}`,
      '  http-request track-sc0 src table per_client',
      `  http-request deny deny_status 429 if { sc_gpc0_rate(0) ge ${options.perSecond} }`,
      '  http-request sc-inc-gpc0(0)',
      '  http-request return status 200 content-type text/plain string ok',
      '',
    ].join('\n'),
  );
  await runInForeground(t, 'haproxy', ['haproxy', '-db', '-f', config], () => accepting('127.0.0.1', port));
  return { url: `http://127.0.0.1:${port}/ok` };
}
