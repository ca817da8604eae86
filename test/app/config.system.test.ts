// Configuration from the environment: defaults, validation, and exit code 2 on bad values.
import t from 'tap';
import { ConfigError, DEFAULT_REDIS_ENDPOINT, loadConfig } from '../../app/src/config.ts';
import { runAppToExit } from './fixtures/app.ts';

t.test('defaults are the seed’s', async (t) => {
  t.same(loadConfig({}), { redisHost: DEFAULT_REDIS_ENDPOINT, redisPort: 6379, redisPassword: undefined, port: 5000 });
  t.equal(DEFAULT_REDIS_ENDPOINT, 'redis-svc.d-redis.svc.cluster.local');
  t.same(
    loadConfig({ REDIS_ENDPOINT: '', REDIS_PORT: '', PORT: '', REDIS_PASSWORD: '' }),
    loadConfig({}),
    'empty means unset',
  );
});

t.test('valid values are used', async (t) => {
  t.same(loadConfig({ REDIS_ENDPOINT: '10.0.0.7', REDIS_PORT: '6380', PORT: '8080', REDIS_PASSWORD: 'pw' }), {
    redisHost: '10.0.0.7',
    redisPort: 6380,
    redisPassword: 'pw',
    port: 8080,
  });
  t.equal(loadConfig({ REDIS_ENDPOINT: '::1' }).redisHost, '::1', 'IPv6 literal');
  t.equal(loadConfig({ PORT: '0' }).port, 0, 'PORT=0 picks a free port');
});

const BAD: Array<[Record<string, string>, RegExp]> = [
  [{ PORT: 'abc' }, /^PORT must be a port number/],
  [{ PORT: '65536' }, /^PORT must be a port number/],
  [{ PORT: '-1' }, /^PORT must be a port number/],
  [{ PORT: '0x50' }, /^PORT must be a port number/],
  [{ REDIS_PORT: '0' }, /^REDIS_PORT must be a port number \(1-65535\)/],
  [{ REDIS_PORT: '6379 ' }, /^REDIS_PORT must be a port number/],
  [{ REDIS_ENDPOINT: 'bad host' }, /^REDIS_ENDPOINT must be a host name or IP address/],
  [{ REDIS_ENDPOINT: 'redis://x' }, /^REDIS_ENDPOINT must be a host name or IP address/],
  [{ POD_NAME: 'Pippo 1' }, /^POD_NAME must be a pod name/],
  [{ POD_NAME: 'pippo\r\nx-evil: 1' }, /^POD_NAME must be a pod name/],
];

t.test('POD_NAME is the pod name every reply carries; unset or empty, none', async (t) => {
  t.equal(loadConfig({ POD_NAME: 'pippo-3' }).podName, 'pippo-3');
  t.equal(loadConfig({ POD_NAME: '' }).podName, undefined);
  t.equal(loadConfig({}).podName, undefined);
});

t.test('invalid values are rejected with the variable named', async (t) => {
  for (const [env, message] of BAD) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
    t.throws(() => loadConfig(env), ConfigError);
  }
});

t.test('the shipped app exits 2 with one line on stderr for bad configuration', async (t) => {
  const envs: Array<Record<string, string>> = [
    { PORT: 'abc' },
    { REDIS_PORT: '99999' },
    { REDIS_ENDPOINT: 'not a host' },
  ];
  for (const env of envs) {
    const result = await runAppToExit(t, env);
    t.equal(result.code, 2, `exit 2 for ${JSON.stringify(env)}`);
    t.match(result.stderr, /^time-app: invalid configuration: [A-Z_]+ must be .*\n$/, 'one line naming the variable');
    t.equal(result.stderr.split('\n').length, 2, 'exactly one line');
    t.same(result.logs, [], 'nothing started');
  }
});
