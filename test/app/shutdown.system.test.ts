// SIGTERM while requests are in flight: stop accepting, finish them, close Redis, exit 0.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import t from 'tap';
import { startRedis } from '../helpers/redis.ts';
import { until } from '../helpers/wait.ts';
import { startApp } from './fixtures/app.ts';

const IN_FLIGHT = 5;

function get(port: number, path: string, agent: Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

t.test('SIGTERM with requests in flight: they complete and the app exits 0', async (t) => {
  const redis = await startRedis(t);
  const app = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) }, { connected: true });
  // An idle keep-alive connection must not keep the app from exiting.
  const keepAlive = new Agent({ keepAlive: true });
  t.teardown(() => keepAlive.destroy());
  t.equal((await get(app.port, '/get', keepAlive)).status, 200);

  // Hold Redis' writes (reads like CLIENT LIST still answer) so /set requests stay in flight.
  await redis.client.call('CLIENT', 'PAUSE', '5000', 'WRITE');
  t.teardown(() => redis.client.call('CLIENT', 'UNPAUSE'));
  const inFlight = Array.from({ length: IN_FLIGHT }, () => get(app.port, '/set', false));
  const ownId = await redis.client.client('ID');
  await until('the app to send SET to Redis', async () =>
    String(await redis.client.client('LIST'))
      .split('\n')
      .some((line) => !line.startsWith(`id=${ownId} `) && line.includes(' cmd=set ')),
  );

  app.child.kill('SIGTERM');
  await until('the app to stop accepting connections', () => refused(app.port));
  t.equal(app.child.exitCode, null, 'still running while requests are in flight');
  await redis.client.call('CLIENT', 'UNPAUSE');

  const replies = await Promise.all(inFlight);
  for (const reply of replies) {
    t.equal(reply.status, 200, 'in-flight request completed');
    t.match(JSON.parse(reply.body), { time: /^\d{4}-/ });
  }
  t.same(await app.exited, { code: 0, signal: null }, 'exit code 0');
  const messages = app.logs().map((line) => line.msg);
  const shuttingDown = messages.indexOf('shutting down');
  const stopped = messages.lastIndexOf('stopped');
  t.not(shuttingDown, -1, "'shutting down' is logged");
  t.not(stopped, -1, "'stopped' is logged");
  t.ok(shuttingDown < stopped, "'shutting down' comes before 'stopped'");
  t.equal(
    app.logs().filter((line) => line.msg === 'request' && line.path === '/set' && line.status === 200).length,
    IN_FLIGHT,
  );
});

t.test('SIGTERM when idle: exits 0 at once', async (t) => {
  const redis = await startRedis(t);
  const app = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) }, { connected: true });
  await until('Redis to be reached', async () => (await fetch(`${app.url}/healthz`)).status === 200);
  app.child.kill('SIGTERM');
  t.same(await app.exited, { code: 0, signal: null });
  const clients = String(await redis.client.client('LIST'))
    .trim()
    .split('\n');
  t.equal(clients.length, 1, 'the app closed its Redis connection');
});
