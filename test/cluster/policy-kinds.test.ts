// Every policy kind's descriptor (src/policy/kinds.ts) reaches every layer that needs it, so a kind
// added to the table cannot miss one: its name is checked as the API server checks it, the fake API
// server serves and stores it, discovery names its kind, and prober's own RBAC lets the live reader
// list it. The Kubernetes API server is the in-process fake of test/cluster/fake/.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { clientNodeApi } from '../../src/cluster/client-node-api.ts';
import { connect } from '../../src/cluster/connection.ts';
import { listLiveObjects } from '../../src/cluster/live-policies.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { readManifestObjects } from '../../src/config/manifest-files.ts';
import { checkManifestNames } from '../../src/config/manifest-names.ts';
import { kindApiVersions, kindDescriptor, POLICY_KIND_NAMES, type PolicyKind } from '../../src/policy/kinds.ts';
import { inputIo } from '../helpers/input-io.ts';
import { tempDir } from '../helpers/temp.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { proberRbac } from './fake/lab.ts';
import { tooManyRequests } from './fake/plain-answers.ts';

const noRetry = { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };

/** One object of a kind, at one of its versions, named `name` (in namespace `web` when namespaced). */
function objectOf(kind: PolicyKind, apiVersion: string, name: string): Record<string, unknown> {
  const namespace = kindDescriptor(kind).namespaced ? { namespace: 'web' } : {};
  return { apiVersion, kind, metadata: { name, ...namespace }, spec: {} };
}

t.test('the table has kinds, each with a group, versions, a plural and a name rule', async (t) => {
  t.ok(POLICY_KIND_NAMES.length >= 8, 'every evaluated kind');
  for (const kind of POLICY_KIND_NAMES) {
    const d = kindDescriptor(kind);
    t.match(d.plural, /^[a-z]+$/, `${kind}: a lower-case plural`);
    t.ok(d.versions.length > 0 && d.group.includes('.'), `${kind}: a group and versions`);
  }
});

for (const kind of POLICY_KIND_NAMES) {
  t.test(`${kind}: a name the API server refuses is refused at load, naming file, line and field`, async (t) => {
    const dir = tempDir(t, 'kinds');
    const file = join(dir, 'policy.yaml');
    const [apiVersion = ''] = kindApiVersions(kind);
    writeFileSync(file, `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: Bad_Name\nspec: {}\n`);
    const { objects } = await readManifestObjects([file], inputIo());
    const error: unknown = (() => {
      try {
        checkManifestNames(objects);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    t.type(error, ConfigError);
    t.match(error, {
      file,
      line: 4,
      field: 'metadata.name',
      message: new RegExp(`^"Bad_Name" is not a valid ${kind} name: `),
    });
  });
}

t.test('every kind is served by the fake at each of its versions and listed under prober RBAC', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.enforceRbac(proberRbac());
  fake.addNamespace('web', { name: 'web' });
  for (const kind of POLICY_KIND_NAMES) {
    const d = kindDescriptor(kind);
    // A built-in kind is served before anything is installed; a custom one once its CRD is.
    if (!d.builtIn) for (const version of d.versions) fake.installCrd(d.group, version, d.plural);
    fake.addPolicy(objectOf(kind, kindApiVersions(kind).at(-1) ?? '', `one-${d.plural}`));
  }
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), noRetry);
  for (const kind of POLICY_KIND_NAMES) {
    const d = kindDescriptor(kind);
    for (const version of d.versions) {
      const resources = await api.listApiResources(d.group, version);
      t.same(
        resources.filter((r) => r.resource === d.plural).map((r) => r.kind),
        [kind],
        `discovery of ${d.group}/${version} names ${d.plural} as ${kind}`,
      );
    }
    t.same(
      (await api.listPolicies(kind)).map((p) => `${p.apiVersion} ${p.kind} ${(p.metadata as { name: string }).name}`),
      [`${kindApiVersions(kind)[0]} ${kind} one-${d.plural}`],
      `${kind}: listed at its first version, with apiVersion and kind set`,
    );
  }
  const live = await listLiveObjects(api, true);
  t.same(
    live.policies.map((p) => p.kind),
    POLICY_KIND_NAMES,
    'the live reader lists every kind, in the table order',
  );
  t.same(
    fake.requests.filter((r) => r.verb === 'list' && r.code === 403),
    [],
    'prober-from-policies grants every list',
  );
});

t.test('a retried policy list names its kind in the progress line, as the per-kind calls did', async (t) => {
  const fake = await FakeApiServer.start(t);
  fake.installCrd('cilium.io', 'v2', 'ciliumnetworkpolicies');
  const heard: string[] = [];
  const api = clientNodeApi(connect({ kubeconfig: fake.kubeconfig, env: process.env }), {
    onRetry: (_error, _attempt, message) => heard.push(message),
  });
  fake.answerNext('list', 'ciliumnetworkpolicies', () => tooManyRequests(0), 1);
  t.same(await api.listPolicies('CiliumNetworkPolicy'), []);
  t.match(heard, [/^retrying listPolicies\(CiliumNetworkPolicy\) after attempt 1, .*429/]);
});
