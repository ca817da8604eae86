// prober finds the cluster kubectl shows: `--kubeconfig`, else every file of $KUBECONFIG merged (the
// first file wins each named entry and current-context, missing files skipped), else ~/.kube/config, and
// a pod's service account only when none of them holds anything. Relative paths resolve against their
// own file, and a kubeconfig is read with a size bound. Each connection is used against the fake API
// server, so a wrong pick fails on the wire too.
//
// Upstream: client-go tools/clientcmd/loader.go (NewDefaultClientConfigLoadingRules, Load: "The first file
// to set a particular map key wins", ResolveLocalPaths, GetAuthInfoFileReferences), merged_client_builder.go
// (DeferredLoadingClientConfig.ClientConfig: in-cluster only when the merged config is empty),
// api/v1/conversion.go ("duplicate name in list" within one file).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { KUBECONFIG_MAX_BYTES, REFERENCED_FILE_MAX_BYTES } from '../../src/cluster/kubeconfig.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';

type Json = Record<string, any>;

/** A kubeconfig with one context `ctx` → cluster `cluster` → user `user`, named as given, at `server`. */
function config(
  fake: FakeApiServer,
  names: { ctx: string; cluster: string; user: string; current?: string },
  server = fake.url,
): Json {
  const base = fake.kubeconfigObject() as Json;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: names.cluster, cluster: { ...base.clusters[0].cluster, server } }],
    users: [{ name: names.user, user: base.users[0].user }],
    contexts: [{ name: names.ctx, context: { cluster: names.cluster, user: names.user, namespace: names.ctx } }],
    ...(names.current ? { 'current-context': names.current } : {}),
  };
}

async function setup(t: Test): Promise<{ fake: FakeApiServer; dir: string; write: (name: string, c: Json) => string }> {
  const fake = await FakeApiServer.start(t);
  fake.addPod({ namespace: 'web', name: 'web-1', labels: { app: 'web' } });
  const dir = tempDir(t, 'kubeconfigs');
  const write = (name: string, c: Json): string => {
    const file = join(dir, name);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(c));
    return file;
  };
  return { fake, dir, write };
}

/** A server that cannot be the answer: nothing listens on port 1. */
const ELSEWHERE = 'https://127.0.0.1:1';

t.test('$KUBECONFIG: the first file to name a cluster wins it whole, and its current-context wins', async (t) => {
  const { fake, dir, write } = await setup(t);
  const a = write('a', config(fake, { ctx: 'dev', cluster: 'shared', user: 'me', current: 'dev' }));
  const b = write('b', config(fake, { ctx: 'prod', cluster: 'shared', user: 'me', current: 'prod' }, ELSEWHERE));
  const connection = connect({ env: { KUBECONFIG: `${a}:${b}`, HOME: dir } });
  t.match(connection, { description: `dev (${fake.url})`, namespace: 'dev' }, "a's current-context and a's cluster");
  t.same(
    (await clientNodeApi(connection).listPods('web')).map((p) => p.metadata?.name),
    ['web-1'],
  );
  const other = connect({ env: { KUBECONFIG: `${b}:${a}`, HOME: dir } });
  t.match(other, { description: `prod (${ELSEWHERE})` }, 'the other order: b wins both');
});

t.test('current-context comes from the first file that sets one, even when that is not the first file', async (t) => {
  const { fake, dir, write } = await setup(t);
  const a = write('a', config(fake, { ctx: 'a-ctx', cluster: 'a', user: 'a' }));
  const b = write('b', config(fake, { ctx: 'b-ctx', cluster: 'b', user: 'b', current: 'b-ctx' }));
  t.match(connect({ env: { KUBECONFIG: `${a}:${b}`, HOME: dir } }), { description: `b-ctx (${fake.url})` });
  t.match(connect({ env: { KUBECONFIG: `${a}:${b}`, HOME: dir }, context: 'a-ctx' }), {
    description: `a-ctx (${fake.url})`,
  });
});

t.test('missing files in $KUBECONFIG are skipped, and a path listed twice is read once', async (t) => {
  const { fake, dir, write } = await setup(t);
  const a = write('a', config(fake, { ctx: 'dev', cluster: 'dev', user: 'me', current: 'dev' }));
  const connection = connect({ env: { KUBECONFIG: `${join(dir, 'missing')}::${a}:${a}`, HOME: dir } });
  t.match(connection, { description: `dev (${fake.url})` });
});

t.test('duplicate names across files: the first wins, no crash; within one file: an error naming it', async (t) => {
  const { fake, dir, write } = await setup(t);
  const a = write('a', config(fake, { ctx: 'same', cluster: 'same', user: 'same', current: 'same' }));
  const b = write('b', config(fake, { ctx: 'same', cluster: 'same', user: 'same', current: 'same' }, ELSEWHERE));
  t.match(connect({ env: { KUBECONFIG: `${a}:${b}`, HOME: dir } }), { description: `same (${fake.url})` });
  const twice = config(fake, { ctx: 'x', cluster: 'x', user: 'x', current: 'x' });
  twice.clusters.push({ ...twice.clusters[0] });
  const c = write('c', twice);
  t.throws(() => connect({ kubeconfig: c, env: process.env }), {
    message: `kubeconfig ${c}: duplicate name "x" in clusters`,
  });
});

t.test('relative paths resolve against the directory of the file that holds them', async (t) => {
  const { fake, dir, write } = await setup(t);
  const withFile = config(fake, { ctx: 'rel', cluster: 'rel', user: 'rel', current: 'rel' });
  delete withFile.clusters[0].cluster['certificate-authority-data'];
  withFile.clusters[0].cluster['certificate-authority'] = 'ca.crt';
  const first = write('first', { apiVersion: 'v1', kind: 'Config' });
  const second = write('sub/kubeconfig', withFile);
  writeFileSync(join(dir, 'sub', 'ca.crt'), fake.caCertificate);
  const connection = connect({ env: { KUBECONFIG: `${first}:${second}`, HOME: dir } });
  t.equal(connection.kubeConfig.getCurrentCluster()?.caFile, join(dir, 'sub', 'ca.crt'));
  t.same(
    (await clientNodeApi(connection).listPods('web')).map((p) => p.metadata?.name),
    ['web-1'],
    'the CA read from beside the kubeconfig, whatever the working directory',
  );
});

t.test('in a pod: a kubeconfig that exists wins; the service account only when none holds anything', async (t) => {
  const { fake, dir, write } = await setup(t);
  const sa = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), fake.token);
  writeFileSync(join(sa, 'ca.crt'), fake.caCertificate);
  const pod = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(fake.url).port };
  const home = join(dir, 'home');
  write('home/.kube/config', config(fake, { ctx: 'mine', cluster: 'mine', user: 'me', current: 'mine' }));
  t.match(connect({ serviceAccountPrefix: dir, env: { ...pod, HOME: home } }), {
    inCluster: false,
    description: `mine (${fake.url})`,
  });
  const empty = write('empty', {});
  t.match(
    connect({ serviceAccountPrefix: dir, env: { ...pod, HOME: home, KUBECONFIG: `${join(dir, 'nope')}:${empty}` } }),
    {
      inCluster: true,
    },
  );
  t.match(connect({ serviceAccountPrefix: dir, env: { ...pod, HOME: dir } }), { inCluster: true }, 'no ~/.kube/config');
});

t.test('an explicit --kubeconfig must exist, and is read with a size bound', async (t) => {
  const { dir } = await setup(t);
  t.throws(() => connect({ kubeconfig: join(dir, 'missing'), env: process.env }), {
    message: `kubeconfig ${join(dir, 'missing')} does not exist`,
  });
  t.throws(() => connect({ kubeconfig: '/dev/zero', env: process.env }), {
    message: `kubeconfig /dev/zero is larger than ${KUBECONFIG_MAX_BYTES / 2 ** 20} MiB, the most prober reads of one`,
  });
  const notYaml = join(dir, 'bad');
  writeFileSync(notYaml, 'clusters: [unclosed');
  t.throws(() => connect({ kubeconfig: notYaml, env: process.env }), {
    message: new RegExp(`^unable to read kubeconfig ${notYaml}: `),
  });
  writeFileSync(notYaml, 'clusters: 5\n');
  t.throws(() => connect({ kubeconfig: notYaml, env: process.env }), {
    message: `kubeconfig ${notYaml}: clusters is not a list`,
  });
});

t.test('a file the kubeconfig names must be a regular file of at most 1 MiB', async (t) => {
  const { fake, write } = await setup(t);
  const withCa = (path: string): Json => {
    const c = config(fake, { ctx: 'ca', cluster: 'ca', user: 'ca', current: 'ca' });
    delete c.clusters[0].cluster['certificate-authority-data'];
    c.clusters[0].cluster['certificate-authority'] = path;
    return c;
  };
  const device = write('device', withCa('/dev/zero'));
  t.throws(() => connect({ kubeconfig: device, env: process.env }), {
    message: 'kubeconfig entry "ca": certificate-authority /dev/zero is not a regular file',
  });
  const big = write('big', withCa('big.crt'));
  writeFileSync(join(big, '..', 'big.crt'), Buffer.alloc(REFERENCED_FILE_MAX_BYTES + 1));
  t.throws(() => connect({ kubeconfig: big, env: process.env }), {
    message: /^kubeconfig entry "ca": certificate-authority .*big\.crt is larger than 1 MiB$/,
  });
});
