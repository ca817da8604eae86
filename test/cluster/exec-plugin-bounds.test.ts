// An exec credential plugin cannot take prober down with it: its standard output is read up to a bound,
// and a plugin that is still running — with whatever it started — is killed, process group and all, when
// it prints too much and when prober is interrupted. The plugins are real shell scripts that leave a
// `sleep` behind and write its pid; the API server is the in-process fake (test/cluster/fake/).
//
// Upstream: client-go plugin/pkg/client/auth/exec/exec.go (Authenticator.refreshCredsLocked runs the
// command and reads its whole stdout, with no bound; prober bounds it).

import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { EXEC_OUTPUT_MAX_BYTES } from '../../src/cluster/exec-credential.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { startProber } from './fake/run-prober.ts';

type Json = Record<string, any>;

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fake and a kubeconfig whose user runs `body` (a shell script) as its credential plugin; `dir` holds its files. */
async function withPlugin(t: Test, body: string): Promise<{ fake: FakeApiServer; dir: string; kubeconfig: string }> {
  const fake = await FakeApiServer.start(t);
  const dir = tempDir(t, 'exec-bounds');
  const plugin = join(dir, 'plugin.sh');
  writeFileSync(plugin, `#!/bin/sh\nsleep 300 &\necho $! > "${join(dir, 'sleeper')}"\n${body}\n`);
  chmodSync(plugin, 0o755);
  const config = fake.kubeconfigObject() as Json;
  config.users = [
    {
      name: 'ci-robot',
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', command: plugin } },
    },
  ];
  config.contexts[0].context.user = 'ci-robot';
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify(config));
  t.teardown(() => {
    // Never leave a sleeper behind, even when the test failed.
    const file = join(dir, 'sleeper');
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8'));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
  return { fake, dir, kubeconfig };
}

const sleeperOf = (dir: string): number => Number(readFileSync(join(dir, 'sleeper'), 'utf8'));

t.test('a plugin that prints without end is stopped at the bound, and what it started is killed', async (t) => {
  const { dir, kubeconfig } = await withPlugin(t, `head -c ${8 * EXEC_OUTPUT_MAX_BYTES} /dev/zero\nwait`);
  const api = clientNodeApi(connect({ kubeconfig, env: process.env }));
  await t.rejects(api.listPods('default'), {
    message: `exec credential plugin "${join(dir, 'plugin.sh')}" of kubeconfig user "ci-robot" printed more than ${EXEC_OUTPUT_MAX_BYTES / 2 ** 20} MiB on standard output`,
  });
  const sleeper = sleeperOf(dir);
  await waitFor('the sleep the plugin started is gone', () => !alive(sleeper));
  t.pass('no process of the plugin is left');
});

t.test('SIGINT while the plugin runs: prober ends, and the plugin and its children with it', async (t) => {
  const { dir, kubeconfig } = await withPlugin(t, 'echo $$ > "$(dirname "$0")/plugin"\nwait');
  const prober = startProber(['simulate', '--kubeconfig', kubeconfig, '-o', 'json']);
  await waitFor(
    'the plugin running',
    () => existsSync(join(dir, 'plugin')) && existsSync(join(dir, 'sleeper')),
    30_000,
  );
  const plugin = Number(readFileSync(join(dir, 'plugin'), 'utf8'));
  const sleeper = sleeperOf(dir);
  prober.child.kill('SIGINT');
  await waitFor('prober exited', () => prober.done(), 10_000);
  const exit = await prober.exited;
  t.not(exit.code, 0, `not a success (${exit.code ?? exit.signal}): ${exit.stderr}`);
  await waitFor('the plugin and its sleep gone', () => !alive(plugin) && !alive(sleeper));
  t.pass('nothing of the plugin is left');
});
