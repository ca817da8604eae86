// The Apache ConfigMap's config under the real Debian httpd: syntax, and the seed's /redis/* flow end to end.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startApp } from '../app/fixtures/app.ts';
import { closedPort, httpServer, listen } from '../helpers/peers.ts';
import { startRedis } from '../helpers/redis.ts';
import { waitFor } from '../helpers/wait.ts';
import { type ApacheLayout, configTest, labConfig, startApache, startWebdis } from './apache.ts';

const run = promisify(execFile);
const LAYOUTS: readonly ApacheLayout[] = ['image', 'lab'];

for (const layout of LAYOUTS) {
  t.test(`apache2 -t accepts the ConfigMap's config (${layout} layout)`, async (t) => {
    const { ok, output } = configTest(t, layout);
    t.ok(ok, output);
    t.match(output, /Syntax OK/);
    // The image layout loads modules Debian compiles in only when missing: no warnings either.
    t.notMatch(output, /warn|AH\d+/i, 'no warnings');
  });
}

t.test('apache2 -t rejects a broken rewrite rule, so the check above can fail', async (t) => {
  const broken = labConfig().vhost.replace('[P,L]', '[P,NOPE]');
  t.not(broken, labConfig().vhost, 'the fixture was changed');
  for (const layout of LAYOUTS) {
    const { ok, output } = configTest(t, layout, broken);
    t.notOk(ok, `${layout}: rejected`);
    t.match(output, /RewriteRule/, `${layout}: names the directive`);
  }
});

for (const layout of LAYOUTS) {
  t.test(`the seed's flows through real httpd, webdis and redis-server (${layout} layout)`, async (t) => {
    const redis = await startRedis(t);
    const webdis = await startWebdis(t, redis.port);
    // A real HTTP server standing in for the time app (built elsewhere): it shows what Apache
    // forwards for /count/*. The time app's own /count/set and /count/get belong to its tests.
    const seen: { path: string | undefined; host: string | undefined }[] = [];
    const app = await listen(
      t,
      httpServer((req, res) => {
        seen.push({ path: req.url, host: req.headers.host });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ time: 'from-upstream' }));
      }),
    );
    const base = await startApache(t, layout, { app: `127.0.0.1:${app}`, webdis });

    const time = new Date().toISOString();
    await run('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), 'SET', 'time', time]);
    const viaRedis = await fetch(`${base}/redis/GET/time`);
    t.equal(viaRedis.status, 200, 'case 2 before the policy: /redis/GET/time answers');
    t.same(await viaRedis.json(), { GET: time }, 'with the seed’s {"GET": "<time>"} shape and the time set in Redis');

    const own = await fetch(`${base}/`);
    t.equal(own.status, 200, 'GET / is answered by Apache itself (what prober probes)');
    t.match(await own.text(), /It works!/);

    const viaApp = await fetch(`${base}/count/get?x=1`);
    t.equal(viaApp.status, 200, '/count/get is proxied');
    t.same(await viaApp.json(), { time: 'from-upstream' });
    t.same(
      seen.at(-1),
      { path: '/get?x=1', host: `127.0.0.1:${app}` },
      '/count/<path> reaches the app as /<path>, with the upstream as Host',
    );

    // What a client sees of case 2 once Redis no longer accepts the sidecar: webdis answers 503.
    await redis.stop();
    await waitFor(
      'webdis to notice that Redis is gone',
      async () => (await fetch(`${base}/redis/GET/time`)).status === 503,
    );
    t.pass('case 2 after Redis is cut off: 503 Service Unavailable');

    // And an upstream that is not there at all is Apache's own 503, not a hang.
    const gone = await closedPort();
    const base2 = await startApache(t, layout, { app: `127.0.0.1:${gone}`, webdis });
    t.equal((await fetch(`${base2}/count/get`)).status, 503, 'a refused upstream is a 503 from Apache');
  });
}

t.test("the seed's flows through real httpd, the real time app, webdis and redis-server on loopback", async (t) => {
  const redis = await startRedis(t);
  const webdis = await startWebdis(t, redis.port);
  const app = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) }, { connected: true });
  const base = await startApache(t, 'image', { app: `127.0.0.1:${app.port}`, webdis });

  const set = await fetch(`${base}/count/set`);
  t.equal(set.status, 200, '/count/set: 200');
  const { time } = (await set.json()) as { time: string };
  t.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, '/count/set returns the stored time');
  const get = await fetch(`${base}/count/get`);
  t.equal(get.status, 200, 'case 1: /count/get answers');
  t.same(await get.json(), { time }, 'case 1: the same time, read by the app from Redis');
  const direct = await fetch(`${base}/redis/GET/time`);
  t.equal(direct.status, 200, 'case 2: /redis/GET/time answers');
  t.same(await direct.json(), { GET: time }, 'case 2: the same time, read by webdis from Redis directly');
});
