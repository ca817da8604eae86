// Exec credential plugins as kubectl runs them (client-go plugin/pkg/client/auth/exec): one run for any
// number of concurrent first calls, KUBERNETES_EXEC_INFO set, the credential kept until its
// expirationTimestamp, and a missing binary named in one line (exit 2), never retried as an unreachable
// API server. The plugins are real shell scripts that count their runs; the API server is the in-process
// fake (test/cluster/fake/), which accepts only the token the plugin hands out.

import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { CredentialError } from '../../src/cluster/exec-credential.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { runProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

const V1 = 'client.authentication.k8s.io/v1';

/** A plugin script in `dir` that appends a line to `runs` each time it starts and saves its KUBERNETES_EXEC_INFO. */
function writePlugin(dir: string, status: Json, exitCode = 0): string {
  const file = join(dir, 'credential-plugin.sh');
  const credential = JSON.stringify({ apiVersion: V1, kind: 'ExecCredential', status });
  writeFileSync(
    file,
    `#!/bin/sh
echo run >> "${join(dir, 'runs')}"
printf '%s' "$KUBERNETES_EXEC_INFO" > "${join(dir, 'exec-info.json')}"
printf '%s' "$GREETING" > "${join(dir, 'greeting')}"
printf '%s\\n' '${credential}'
exit ${exitCode}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

const runsIn = (dir: string): number =>
  existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').split('\n').filter(Boolean).length : 0;

/** A kubeconfig in `dir` whose user gets its credential from `exec`. */
function kubeconfigWithExec(fake: FakeApiServer, dir: string, exec: Json): string {
  const config = fake.kubeconfigObject() as Json;
  config.users = [{ name: 'ci-robot', user: { exec: { apiVersion: V1, interactiveMode: 'Never', ...exec } } }];
  config.contexts[0].context.user = 'ci-robot';
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function setUp(t: Test, status: (fake: FakeApiServer) => Json, exec: Json = {}) {
  const fake = await FakeApiServer.start(t);
  const dir = tempDir(t, 'exec-plugin');
  writePlugin(dir, status(fake));
  // A command with a slash is relative to the kubeconfig's directory, as kubectl resolves it.
  const kubeconfig = kubeconfigWithExec(fake, dir, { command: './credential-plugin.sh', ...exec });
  return { fake, dir, kubeconfig };
}

t.test('concurrent first calls start the plugin once, with KUBERNETES_EXEC_INFO as kubectl sets it', async (t) => {
  const { fake, dir, kubeconfig } = await setUp(t, (fake) => ({ token: fake.token }), {
    env: [{ name: 'GREETING', value: 'hi' }],
  });
  const api = clientNodeApi(connect({ kubeconfig, env: process.env }));
  const lists = await Promise.all(Array.from({ length: 8 }, () => api.listPods('default')));
  t.equal(lists.length, 8, 'every call was answered with the plugin token');
  t.equal(runsIn(dir), 1, 'one run of the plugin');
  t.same(JSON.parse(readFileSync(join(dir, 'exec-info.json'), 'utf8')), {
    kind: 'ExecCredential',
    apiVersion: V1,
    spec: { interactive: false },
  });
  await api.listNamespaces();
  t.equal(runsIn(dir), 1, 'a credential without expirationTimestamp is kept for the run');
  t.equal(fake.requests.filter((r) => r.code === 401).length, 0);
  t.equal(readFileSync(join(dir, 'greeting'), 'utf8'), 'hi', "the exec block's env reached the plugin");
});

t.test('the prober CLI runs the plugin once for all its parallel reads', async (t) => {
  const { fake, dir, kubeconfig } = await setUp(t, (fake) => ({ token: fake.token }));
  await runProber(['simulate', '--kubeconfig', kubeconfig, '-o', 'json']);
  const answered = fake.requests.filter((r) => r.code === 200);
  t.ok(answered.length >= 4, `the reads were answered (${answered.length})`);
  t.equal(runsIn(dir), 1, 'one run of the plugin');
});

t.test('provideClusterInfo: the plugin is told the server and its CA', async (t) => {
  const { fake, dir, kubeconfig } = await setUp(t, (fake) => ({ token: fake.token }), { provideClusterInfo: true });
  await clientNodeApi(connect({ kubeconfig, env: process.env })).listPods('default');
  t.same(JSON.parse(readFileSync(join(dir, 'exec-info.json'), 'utf8')).spec, {
    cluster: { server: fake.url, 'certificate-authority-data': Buffer.from(fake.caCertificate).toString('base64') },
    interactive: false,
  });
});

t.test('the credential is kept until its expirationTimestamp, then the plugin runs again', async (t) => {
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  const fresh = await setUp(t, (fake) => ({ token: fake.token, expirationTimestamp: inAnHour }));
  const api = clientNodeApi(connect({ kubeconfig: fresh.kubeconfig, env: process.env }));
  await api.listPods('default');
  await api.listPods('default');
  t.equal(runsIn(fresh.dir), 1, 'valid for an hour: one run');

  const expired = await setUp(t, (fake) => ({ token: fake.token, expirationTimestamp: '2020-01-01T00:00:00Z' }));
  const again = clientNodeApi(connect({ kubeconfig: expired.kubeconfig, env: process.env }));
  await again.listPods('default');
  await again.listPods('default');
  t.equal(runsIn(expired.dir), 2, 'already expired: one run per call');
});

t.test('a missing plugin binary: one line naming the command and the user, exit 2, never retried', async (t) => {
  const fake = await FakeApiServer.start(t);
  const dir = tempDir(t, 'exec-plugin');
  const kubeconfig = kubeconfigWithExec(fake, dir, {
    command: 'prober-test-no-such-plugin',
    installHint: 'Install it with: apt-get install prober-test-plugin\nMore on the web.',
  });
  const retries: string[] = [];
  const api = clientNodeApi(connect({ kubeconfig, env: process.env }), {
    onRetry: (_e, _a, message) => retries.push(message),
  });
  const error = await api.listPods('default').catch((e: unknown) => e);
  t.ok(error instanceof CredentialError, 'a credential error');
  t.match(error, { fatal: true, transient: false });
  t.same(retries, [], 'not retried');

  const run = await runProber(['simulate', '--kubeconfig', kubeconfig]);
  t.equal(run.code, 2);
  t.equal(
    run.stderr,
    'prober: exec credential plugin "prober-test-no-such-plugin" of kubeconfig user "ci-robot" not found: prober-test-no-such-plugin (install it, or fix the command in the kubeconfig); Install it with: apt-get install prober-test-plugin\n',
  );
  t.same(fake.requests, [], 'the API server was never asked');
});

t.test('a plugin that fails or answers badly is named with what went wrong', async (t) => {
  const fake = await FakeApiServer.start(t);
  const dir = tempDir(t, 'exec-plugin');
  const failing = writePlugin(dir, { token: fake.token }, 3);
  const message = async (exec: Json): Promise<string> => {
    const api = clientNodeApi(connect({ kubeconfig: kubeconfigWithExec(fake, dir, exec), env: process.env }));
    return api.listPods('default').then(
      () => 'ok',
      (e: Error) => e.message,
    );
  };
  t.equal(
    await message({ command: failing }),
    `exec credential plugin "${failing}" of kubeconfig user "ci-robot" failed with exit code 3`,
  );
  t.equal(runsIn(dir), 1, 'run once, not retried');
  t.equal(
    await message({ command: 'sh', args: ['-c', 'echo not json'] }),
    'exec credential plugin "sh" of kubeconfig user "ci-robot" printed no ExecCredential JSON: Unexpected token \'o\', "not json\n" is not valid JSON',
  );
  t.throws(
    () =>
      connect({
        kubeconfig: kubeconfigWithExec(fake, dir, {
          command: 'x',
          apiVersion: 'client.authentication.k8s.io/v1alpha1',
        }),
        env: process.env,
      }),
    {
      message:
        /kubeconfig user "ci-robot": exec credential plugin "x" has apiVersion "client.authentication.k8s.io\/v1alpha1"/,
    },
  );
});
