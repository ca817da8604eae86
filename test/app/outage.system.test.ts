// The app while Redis is down or frozen: fast 503s, no crash, recovery without a restart.
import t from 'tap';
import { startRedis } from '../helpers/redis.ts';
import { until } from '../helpers/wait.ts';
import { startApp } from './fixtures/app.ts';

interface Timed {
  status: number;
  body: unknown;
  ms: number;
}

async function timed(url: string): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url);
  const body: unknown = await response.json();
  return { status: response.status, body, ms: performance.now() - started };
}

t.test('Redis stopped: 503 at once; Redis back: healthy again, same process', async (t) => {
  const redis = await startRedis(t);
  const app = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) }, { connected: true });
  t.equal((await timed(`${app.url}/set`)).status, 200);

  await redis.stop();
  const stoppedAt = performance.now();
  const health = await until('/healthz to fail', async () => {
    const reply = await timed(`${app.url}/healthz`);
    return reply.status === 503 ? reply : undefined;
  });
  t.same(health.body, { ping: 'FAIL' });
  t.ok(
    performance.now() - stoppedAt < 1500,
    `503 within 1.5 s of Redis stopping (${Math.round(performance.now() - stoppedAt)} ms)`,
  );
  t.same((await timed(`${app.url}/readyz`)).status, 503, '/readyz fails too');
  for (const path of ['/get', '/set', '/reset']) {
    const reply = await timed(app.url + path);
    t.equal(reply.status, 503, `${path} is 503 while Redis is down`);
    t.same(reply.body, { error: 'redis-unavailable', message: 'Redis is unavailable' });
    t.ok(reply.ms < 1500, `${path} answered in ${Math.round(reply.ms)} ms`);
  }
  t.equal((await timed(`${app.url}/version`)).status, 200, 'routes not needing Redis still work');

  await redis.start();
  await until('/healthz to recover', async () => (await timed(`${app.url}/healthz`)).status === 200);
  const set = await timed(`${app.url}/set`);
  t.equal(set.status, 200, '/set works again');
  t.equal(await redis.client.get('time'), (set.body as { time: string }).time);
  t.equal(app.child.exitCode, null, 'the app kept running throughout');
  const states = app.logs().filter((line) => line.msg === 'redis ready' || line.msg === 'redis connection lost');
  t.same(
    states.map((line) => line.msg),
    ['redis ready', 'redis connection lost', 'redis ready'],
    'the outage is logged once',
  );
});

t.test('Redis frozen (connection open, no answers): 503 within 1.5 s, then recovery', async (t) => {
  const redis = await startRedis(t);
  const app = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) });
  t.teardown(() => redis.freeze(false));
  await until('the app to reach Redis', async () => (await timed(`${app.url}/healthz`)).status === 200);

  redis.freeze(true);
  const replies = await Promise.all([timed(`${app.url}/healthz`), timed(`${app.url}/get`)]);
  t.equal(replies[0]?.status, 503, '/healthz fails while Redis does not answer');
  t.equal(replies[1]?.status, 503, '/get fails while Redis does not answer');
  for (const reply of replies) t.ok(reply.ms < 1500, `answered in ${Math.round(reply.ms)} ms`);

  redis.freeze(false);
  await until('/healthz to recover', async () => (await timed(`${app.url}/healthz`)).status === 200);
  t.equal((await timed(`${app.url}/set`)).status, 200);
});

t.test('Redis absent at start: the app still starts, is unhealthy, and heals when Redis appears', async (t) => {
  const redis = await startRedis(t);
  await redis.stop();
  const app = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) });
  t.ok(
    app.logs().some((line) => line.msg === 'starting without Redis'),
    'start-up does not wait forever',
  );
  t.equal((await timed(`${app.url}/healthz`)).status, 503);
  t.equal((await timed(`${app.url}/version`)).status, 200);
  await redis.start();
  await until('/healthz to turn healthy', async () => (await timed(`${app.url}/healthz`)).status === 200);
  t.same((await timed(`${app.url}/get`)).body, { time: null });
});
