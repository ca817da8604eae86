// The standard input an exec credential plugin gets: prober's own (the I/O context's), and only when it
// is a terminal and the plugin's interactiveMode allows, as client-go does (staging/src/k8s.io/client-go/
// plugin/pkg/client/auth/exec/exec.go: refreshCredsLocked sets cmd.Stdin only when isInteractive says so,
// and interactiveMode Always without a terminal is refused). A file's descriptor stands in for the
// terminal: the plugin must read what the context's stdin holds, not the test process's own stdin.

import { chmodSync, closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import type { InputStream } from '../../src/model/io.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';

type Json = Record<string, any>;

const V1 = 'client.authentication.k8s.io/v1';

/** A fake API server, and a kubeconfig whose plugin saves its exec info and what it read on stdin. */
async function setUp(t: Test, interactiveMode: string) {
  const fake = await FakeApiServer.start(t);
  const dir = tempDir(t, 'exec-stdin');
  const plugin = join(dir, 'plugin.sh');
  const credential = JSON.stringify({ apiVersion: V1, kind: 'ExecCredential', status: { token: fake.token } });
  writeFileSync(
    plugin,
    `#!/bin/sh
printf '%s' "$KUBERNETES_EXEC_INFO" > "${join(dir, 'exec-info.json')}"
cat > "${join(dir, 'stdin-seen')}"
printf '%s\\n' '${credential}'
`,
  );
  chmodSync(plugin, 0o755);
  const config = fake.kubeconfigObject() as Json;
  config.users = [{ name: 'ci-robot', user: { exec: { apiVersion: V1, interactiveMode, command: plugin } } }];
  config.contexts[0].context.user = 'ci-robot';
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify(config));
  return { dir, kubeconfig };
}

/** A stdin that says it is a terminal, on the descriptor of a file holding `text`. */
function terminalHolding(t: Test, dir: string, text: string): InputStream {
  writeFileSync(join(dir, 'terminal'), text);
  const fd = openSync(join(dir, 'terminal'), 'r');
  t.teardown(() => closeSync(fd));
  return Object.assign(Readable.from([]), { isTTY: true, fd });
}

const seen = (dir: string) => ({
  interactive: JSON.parse(readFileSync(join(dir, 'exec-info.json'), 'utf8')).spec.interactive,
  stdin: readFileSync(join(dir, 'stdin-seen'), 'utf8'),
});

t.test("IfAvailable with a terminal: the plugin is interactive and reads the context's stdin", async (t) => {
  const { dir, kubeconfig } = await setUp(t, 'IfAvailable');
  const stdin = terminalHolding(t, dir, 'typed at the prompt\n');
  await clientNodeApi(connect({ kubeconfig, env: process.env, stdin })).listPods('default');
  t.same(seen(dir), { interactive: true, stdin: 'typed at the prompt\n' });
});

t.test('IfAvailable without a terminal, or Never: not interactive, and no stdin', async (t) => {
  const piped = await setUp(t, 'IfAvailable');
  const pipe = Object.assign(Readable.from([Buffer.from('a manifest on a pipe\n')]), { isTTY: false });
  await clientNodeApi(connect({ kubeconfig: piped.kubeconfig, env: process.env, stdin: pipe })).listPods('default');
  t.same(seen(piped.dir), { interactive: false, stdin: '' }, 'stdin piped to prober is not the plugin’s');
  const never = await setUp(t, 'Never');
  const stdin = terminalHolding(t, never.dir, 'typed at the prompt\n');
  await clientNodeApi(connect({ kubeconfig: never.kubeconfig, env: process.env, stdin })).listPods('default');
  t.same(seen(never.dir), { interactive: false, stdin: '' }, 'Never: the terminal stays prober’s');
});

t.test('Always needs a terminal: refused without one, interactive with one', async (t) => {
  const { dir, kubeconfig } = await setUp(t, 'Always');
  const pipe = Object.assign(Readable.from([]), { isTTY: false });
  await t.rejects(clientNodeApi(connect({ kubeconfig, env: process.env, stdin: pipe })).listPods('default'), {
    message: /needs an interactive terminal \(interactiveMode: Always\), and standard input is not one/,
  });
  const stdin = terminalHolding(t, dir, 'yes\n');
  await clientNodeApi(connect({ kubeconfig, env: process.env, stdin })).listPods('default');
  t.same(seen(dir), { interactive: true, stdin: 'yes\n' });
});
