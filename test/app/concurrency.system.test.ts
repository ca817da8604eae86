// Many clients setting and reading the time at once: every answer is consistent with Redis.
import t from 'tap';
import { startRedis } from '../helpers/redis.ts';
import { startApp } from './fixtures/app.ts';

const CLIENTS = 32;
const REQUESTS_PER_CLIENT = 25;

t.test('concurrent /set and /get stay consistent over one shared Redis connection', async (t) => {
  const redis = await startRedis(t);
  const app = await startApp(t, { REDIS_ENDPOINT: '127.0.0.1', REDIS_PORT: String(redis.port) }, { connected: true });

  const stored = new Set<string>();
  const read: Array<string | null> = [];
  const failures: string[] = [];
  const client = async (index: number): Promise<void> => {
    for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
      const path = (index + i) % 2 === 0 ? '/set' : '/get';
      const response = await fetch(app.url + path);
      const body = (await response.json()) as { time: string | null };
      if (response.status !== 200) failures.push(`${path} → ${response.status}`);
      else if (path === '/set' && body.time !== null) stored.add(body.time);
      else read.push(body.time);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));

  t.same(failures, [], 'every request succeeded');
  t.ok(stored.size > 1, `${stored.size} distinct times stored`);
  const foreign = read.filter((value) => value !== null && !stored.has(value));
  t.same(foreign, [], 'every /get returned a time some /set stored (or null before the first)');
  const final = (await (await fetch(`${app.url}/get`)).json()) as { time: string };
  t.equal(final.time, await redis.client.get('time'), 'the final /get is what Redis holds');
  t.ok(stored.has(final.time), 'and it came from one of the /set calls');

  // The seed opened a connection per request; this app shares one.
  const ownId = await redis.client.client('ID');
  const others = String(await redis.client.client('LIST'))
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith(`id=${ownId} `));
  t.equal(others.length, 1, `the app holds exactly one Redis connection:\n${others.join('\n')}`);
});
