// Every route of the shipped time app against a real Redis: statuses, bodies, headers, logs.
import t from 'tap';
import { APP_VERSION } from '../../app/src/version.ts';
import { startRedis } from '../helpers/redis.ts';
import { until } from '../helpers/wait.ts';
import { startApp } from './fixtures/app.ts';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

t.test('routes answer JSON with the documented statuses', async (t) => {
  const redis = await startRedis(t);
  const app = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) }, { connected: true });
  const requests: Array<{ method: string; path: string; status: number }> = [];
  const call = async (path: string, method = 'GET'): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const response = await fetch(app.url + path, { method, redirect: 'manual' });
    const text = await response.text();
    requests.push({ method, path: path.split('?')[0] ?? path, status: response.status });
    t.equal(response.headers.get('content-type'), 'application/json', `${method} ${path} is JSON`);
    return { status: response.status, body: method === 'HEAD' ? text : JSON.parse(text), headers: response.headers };
  };
  // Status and body only, for exact comparisons.
  const reply = async (path: string): Promise<{ status: number; body: unknown }> => {
    const { status, body } = await call(path);
    return { status, body };
  };

  const root = await call('/');
  t.equal(root.status, 302);
  t.equal(root.headers.get('location'), '/get');

  t.same(await reply('/get'), { status: 200, body: { time: null } }, 'nothing stored yet: a real null');

  const set = await call('/set');
  t.equal(set.status, 200);
  const stored = (set.body as { time: string }).time;
  t.match(stored, ISO_TIME, '/set returns an ISO-8601 time');
  t.equal(await redis.client.get('time'), stored, 'the returned value is what Redis holds under "time"');
  t.same((await call('/get')).body, { time: stored }, '/get returns the stored time');
  t.same((await call('/get?ignored=1')).body, { time: stored }, 'a query string does not change the route');

  const second = await call('/set');
  t.not((second.body as { time: string }).time, undefined);
  t.ok((second.body as { time: string }).time >= stored, 'a later /set stores a later time');

  t.same(await reply('/reset'), { status: 200, body: { time: null } });
  t.equal(await redis.client.exists('time'), 0, '/reset deletes the key');
  t.same((await call('/get')).body, { time: null });

  t.same(await reply('/version'), { status: 200, body: { version: APP_VERSION } });
  t.same(await reply('/healthz'), { status: 200, body: { ping: true } });
  t.same(await reply('/readyz'), { status: 200, body: { ping: true } });

  const head = await call('/get', 'HEAD');
  t.equal(head.status, 200);
  t.equal(head.body, '', 'HEAD has no body');

  const missing = await call('/nowhere');
  t.equal(missing.status, 404);
  t.same(missing.body, { error: 'not-found', message: 'no such route' });

  for (const [method, path] of [
    ['POST', '/set'],
    ['PUT', '/get'],
    ['DELETE', '/reset'],
    ['POST', '/healthz'],
  ] as const) {
    const wrong = await call(path, method);
    t.equal(wrong.status, 405, `${method} ${path} is 405`);
    t.equal(wrong.headers.get('allow'), 'GET, HEAD');
    t.same(wrong.body, { error: 'method-not-allowed', allow: ['GET', 'HEAD'] });
  }

  // One structured line per request, in order, with what a log pipeline needs.
  const logged = await untilLogged(app, requests.length);
  t.same(
    logged.map((line) => ({ method: line.method, path: line.path, status: line.status })),
    requests,
    'one log line per request',
  );
  for (const line of logged) {
    t.match(line, { level: 'info', remote: '127.0.0.1', durationMs: Number, time: ISO_TIME });
  }
});

t.test('a password-protected Redis is used with REDIS_PASSWORD, and a wrong one is unhealthy', async (t) => {
  const redis = await startRedis(t, { password: 's3cret-pass' });
  const good = await startApp(
    t,
    { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port), REDIS_PASSWORD: 's3cret-pass' },
    { connected: true },
  );
  const set = await fetch(`${good.url}/set`);
  t.equal(set.status, 200);
  t.equal(await redis.client.get('time'), ((await set.json()) as { time: string }).time);

  const bad = await startApp(t, {
    REDIS_ENDPOINT: '127.0.0.1',
    REDIS_PORT: String(redis.port),
    REDIS_PASSWORD: 'wrong',
  });
  const health = await fetch(`${bad.url}/healthz`);
  t.equal(health.status, 503);
  t.same(await health.json(), { ping: 'FAIL' });
  const get = await fetch(`${bad.url}/get`);
  t.equal(get.status, 503, 'data routes refuse while Redis rejects the password');
  t.notMatch(await get.text(), /at .*\(|WRONGPASS|NOAUTH/, 'no stack trace or Redis message leaks to clients');
});

t.test('with POD_NAME every reply names the pod in x-pod-name, errors and 404s too', async (t) => {
  const redis = await startRedis(t);
  const named = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port), POD_NAME: 'pippo-7' });
  for (const path of ['/get', '/version', '/nowhere']) {
    const response = await fetch(named.url + path);
    await response.arrayBuffer();
    t.equal(response.headers.get('x-pod-name'), 'pippo-7', path);
  }
  const anonymous = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) });
  const response = await fetch(`${anonymous.url}/version`);
  await response.arrayBuffer();
  t.equal(response.headers.get('x-pod-name'), null, 'no POD_NAME, no header');
});

function untilLogged(
  app: { logs(): Array<Record<string, unknown>> },
  count: number,
): Promise<Array<Record<string, unknown>>> {
  return until(`${count} request log lines`, () => {
    const lines = app.logs().filter((line) => line.msg === 'request');
    return lines.length >= count ? lines : undefined;
  });
}
