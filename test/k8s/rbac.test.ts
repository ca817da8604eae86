// The prober's RBAC grants exactly the access its Kubernetes API calls need, each where the code's
// permission table says: reads cluster-wide, writes only in the lab's source namespaces.

import { join } from 'node:path';
import t, { type Test } from 'tap';
import { type Grant, KUBE_API_PERMISSIONS, PERMISSION_TABLE } from '../../src/cluster/kube-api.ts';
import { loadReachabilityTest } from '../../src/config/load-test.ts';
import { POLICY_GROUPS } from '../../src/policy/groups.ts';
import { kindDescriptor, POLICY_KIND_NAMES } from '../../src/policy/kinds.ts';
import { inputIo } from '../helpers/input-io.ts';
import { renderAll } from './lab.ts';
import { ofKind, REPO, renderKustomization, type SourcedObject } from './manifests.ts';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface RoleRef {
  kind: string;
  name: string;
  apiGroup: string;
}

const SUBJECT = { kind: 'ServiceAccount', name: 'prober', namespace: 'prober' };
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'];

/** The permission table as `verb group/resource` strings, for one place it is granted. */
function wanted(grant: Grant): string[] {
  const keys = PERMISSION_TABLE.filter((p) => p.grants.includes(grant)).map(
    (p) => `${p.verb} ${p.group}/${p.resource}`,
  );
  return [...new Set(keys)].sort();
}

/** What a role's rules grant, as `verb group/resource` strings; wildcards and names are refused. */
function granted(t: Test, role: SourcedObject): string[] {
  const out = new Set<string>();
  for (const rule of (role.object.rules ?? []) as Rule[]) {
    t.notOk(rule.nonResourceURLs, `${role.where}: no non-resource URLs`);
    t.notOk(rule.resourceNames, `${role.where}: no per-name rules (prober works on any pod of a source)`);
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) {
          t.notOk(
            `${group}${resource}${verb}`.includes('*'),
            `${role.where}: no wildcard in ${verb} ${group}/${resource}`,
          );
          out.add(`${verb} ${group}/${resource}`);
        }
      }
    }
  }
  return [...out].sort();
}

const { all } = renderAll();
const bindingsOfProber = [...ofKind(all, 'ClusterRoleBinding'), ...ofKind(all, 'RoleBinding')].filter((b) =>
  ((b.object.subjects ?? []) as { kind: string; name: string; namespace?: string }[]).some(
    (s) => s.name === SUBJECT.name && s.namespace === SUBJECT.namespace,
  ),
);
/** The namespaces the lab's own test probes from: prober must be able to work in each, and only there. */
const sourceNamespaces = [
  ...new Set(
    (await loadReachabilityTest(join(REPO, 'policies', 'expectations.yaml'), inputIo())).sources.map(
      (s) => s.namespace ?? '',
    ),
  ),
].sort();

const roleNamed = (kind: 'Role' | 'ClusterRole', name: string, namespace?: string): SourcedObject | undefined =>
  ofKind(all, kind).find((o) => o.object.metadata.name === name && o.object.metadata.namespace === namespace);

t.test('every binding of the prober account is one of its three, to it alone', async (t) => {
  const seen = bindingsOfProber
    .map(
      (b) =>
        `${b.object.kind} ${b.object.metadata.namespace ?? '-'}/${b.object.metadata.name} -> ${(b.object.roleRef as RoleRef).kind} ${(b.object.roleRef as RoleRef).name}`,
    )
    .sort();
  const expected = [
    'ClusterRoleBinding -/prober -> ClusterRole prober',
    'ClusterRoleBinding -/prober-from-policies -> ClusterRole prober-from-policies',
    'ClusterRoleBinding -/prober-watch -> ClusterRole prober-watch',
    'RoleBinding prober/prober-self -> Role prober-self',
    ...sourceNamespaces.map((ns) => `RoleBinding ${ns}/prober-source -> Role prober-source`),
    ...sourceNamespaces.map((ns) => `RoleBinding ${ns}/prober-probe-pod -> Role prober-probe-pod`),
  ].sort();
  t.same(seen, expected);
  for (const binding of bindingsOfProber) {
    t.same(binding.object.subjects, [SUBJECT], `${binding.where}: only prober's service account`);
    t.equal((binding.object.roleRef as RoleRef).apiGroup, 'rbac.authorization.k8s.io');
  }
});

t.test('cluster-wide: exactly the reads the permission table grants there, and no write', async (t) => {
  const role = roleNamed('ClusterRole', 'prober');
  if (!role) throw new Error('ClusterRole prober not found');
  const rules = granted(t, role);
  t.same(rules, wanted('cluster'), 'the ClusterRole equals the table');
  for (const rule of rules) t.notOk(WRITE_VERBS.includes(rule.split(' ')[0] ?? ''), `${rule} is a read`);
  for (const [call, permission] of Object.entries(KUBE_API_PERMISSIONS)) {
    if (WRITE_VERBS.includes(permission.verb) || permission.resource === 'pods/log') {
      t.notOk(
        rules.includes(`${permission.verb} ${permission.group}/${permission.resource}`),
        `${call}: ${permission.verb} ${permission.resource} is not granted cluster-wide`,
      );
    }
  }
});

t.test('cluster-wide list pods only in the fromPolicies ClusterRole, which reads and nothing else', async (t) => {
  const role = roleNamed('ClusterRole', 'prober-from-policies');
  if (!role) throw new Error('ClusterRole prober-from-policies not found');
  const rules = granted(t, role);
  t.same(rules, wanted('from-policies'), 'the ClusterRole equals the table');
  t.ok(
    rules.every((rule) => rule.startsWith('list ')),
    'lists only',
  );
  t.ok(rules.includes('list /pods'));
  t.notOk(granted(t, roleNamed('ClusterRole', 'prober')!).includes('list /pods'), 'not in the ClusterRole prober');
});

t.test('in each source namespace of the lab: the opt-in Role prober-probe-pod, exactly the table', async (t) => {
  const roles = ofKind(all, 'Role').filter((r) => r.object.metadata.name === 'prober-probe-pod');
  t.same(roles.map((r) => r.object.metadata.namespace).sort(), sourceNamespaces);
  for (const role of roles) t.same(granted(t, role), wanted('probe-pod'), `${role.object.metadata.namespace}`);
});

t.test('in each source namespace of the lab: the Role prober-source, exactly the table', async (t) => {
  t.same(sourceNamespaces, ['a-ingress-traefik', 'b-apacherr', 'c-app-count', 'd-redis']);
  const roles = ofKind(all, 'Role').filter((r) => r.object.metadata.name === 'prober-source');
  t.same(
    roles.map((r) => r.object.metadata.namespace).sort(),
    sourceNamespaces,
    'in these namespaces and nowhere else',
  );
  for (const role of roles)
    t.same(
      granted(t, role),
      wanted('source-namespace'),
      `${role.object.metadata.namespace}: the Role equals the table`,
    );
  // create pods runs code as any service account of the namespace: never in the ephemeral-only Role.
  for (const role of roles) t.notOk(granted(t, role).some((r) => /^(create|delete) \/pods$/.test(r)));
  t.notOk(
    roles.some((r) => ['kube-system', 'prober', 'default'].includes(r.object.metadata.namespace ?? '')),
    'not in kube-system, default or prober',
  );
});

t.test('watch --cluster: reads and watches its tests, writes only their status and Events', async (t) => {
  const role = roleNamed('ClusterRole', 'prober-watch');
  if (!role) throw new Error('ClusterRole prober-watch not found');
  const rules = granted(t, role);
  t.same(rules, wanted('watch'), 'the ClusterRole equals the table');
  t.same(
    rules.filter((rule) => WRITE_VERBS.includes(rule.split(' ')[0] ?? '')),
    ['create events.k8s.io/events', 'update prober.dev/reachabilitytests/status'],
    "the writes: an Event, a test's status; never a test's spec",
  );
});

t.test("in prober's own namespace: get pods only (its own pod's image)", async (t) => {
  const role = roleNamed('Role', 'prober-self', 'prober');
  if (!role) throw new Error('Role prober/prober-self not found');
  t.same(granted(t, role), wanted('own-namespace'));
});

t.test('no permission of the table is left ungranted, and no other role exists', async (t) => {
  // Discovery is granted by every cluster itself (system:discovery); simulate's role is checked below.
  const grants: Grant[] = [
    'cluster',
    'from-policies',
    'source-namespace',
    'probe-pod',
    'own-namespace',
    'simulate',
    'cleanup',
    'discovery',
    'resident',
    'watch',
  ];
  t.same(
    PERMISSION_TABLE.filter((p) => !p.grants.every((g) => grants.includes(g))),
    [],
  );
  const roleNames = [...ofKind(all, 'ClusterRole'), ...ofKind(all, 'Role')]
    .filter((r) => r.object.metadata.name?.startsWith('prober'))
    .map((r) => `${r.object.kind} ${r.object.metadata.name}`);
  t.same([...new Set(roleNames)].sort(), [
    'ClusterRole prober',
    'ClusterRole prober-cleanup',
    'ClusterRole prober-from-policies',
    'ClusterRole prober-simulate',
    'ClusterRole prober-watch',
    'Role prober-probe-pod',
    'Role prober-self',
    'Role prober-source',
  ]);
});

t.test('simulate --cluster: a read-only ClusterRole covering the topology and every policy group', async (t) => {
  const role = roleNamed('ClusterRole', 'prober-simulate');
  if (!role) throw new Error('ClusterRole prober-simulate not found');
  const rules = (role.object.rules ?? []) as Rule[];
  t.same([...new Set(rules.flatMap((r) => r.verbs))], ['list'], 'list only: no get of Secrets, no write');
  t.notOk(
    rules.some((r) => r.nonResourceURLs || r.resourceNames),
    'no non-resource URLs or names',
  );
  const allows = (group: string, resource: string): boolean =>
    rules.some((r) => r.apiGroups?.includes(group) && (r.resources?.includes(resource) || r.resources?.includes('*')));
  for (const resource of ['namespaces', 'pods', 'services', 'nodes']) t.ok(allows('', resource), `list ${resource}`);
  t.notOk(
    rules.some((r) => r.apiGroups?.includes('') && r.resources?.includes('*')),
    'no wildcard in the core group',
  );
  for (const { group, plural } of POLICY_KIND_NAMES.map(kindDescriptor))
    t.ok(allows(group, plural), `list ${plural}.${group}: a kind prober evaluates`);
  // A group listed in groups.ts holds policy; the role must let simulate find its objects to refuse them.
  for (const g of POLICY_GROUPS) {
    // The resource name CRDs give a kind: lower case, plural (Policy → policies, ServiceIntentions stays).
    const plural = (kind: string): string =>
      kind
        .toLowerCase()
        .replace(/y$/, 'ie')
        .replace(/([^s])$/, '$1s');
    const kinds = g.onlyKinds?.map(plural) ?? ['*'];
    for (const resource of kinds)
      t.ok(
        allows(g.group, resource) || rules.some((r) => r.apiGroups?.includes(g.group) && r.resources?.includes('*')),
        `${g.group}: ${resource}`,
      );
  }
  t.notOk(
    bindingsOfProber.some((b) => (b.object.roleRef as RoleRef).name === 'prober-simulate'),
    'not bound to prober',
  );
});

t.test('cleanup --all-namespaces: a ClusterRole that lists pods and nothing else, bound to no one', async (t) => {
  const role = roleNamed('ClusterRole', 'prober-cleanup');
  if (!role) throw new Error('ClusterRole prober-cleanup not found');
  t.same(granted(t, role), wanted('cleanup'), 'exactly the table: list pods');
  t.notOk(
    granted(t, role).some((r) => WRITE_VERBS.includes(r.split(' ')[0] ?? '')),
    "no write verb cluster-wide: deletes go through the namespaces' probe-pod Roles",
  );
  t.notOk(
    bindingsOfProber.some((b) => (b.object.roleRef as RoleRef).name === 'prober-cleanup'),
    'not bound to prober by k8s/',
  );
});

t.test(
  '--agent=resident: an opt-in Role of get and create pods/exec, applied by no kustomization of k8s/',
  async (t) => {
    const rendered = renderKustomization('k8s/prober/resident-namespace').objects;
    const role = rendered.find((o) => o.object.kind === 'Role');
    if (!role) throw new Error('Role prober-resident not found');
    t.equal(role.object.metadata.name, 'prober-resident');
    // get: the WebSocket upgrade is a GET; create: the 1.35 check (pkg/registry/core/pod/rest/authorize.go).
    t.same(granted(t, role), wanted('resident'), 'exactly the table: get and create pods/exec');
    t.notOk(
      ofKind(all, 'Role').some((r) => r.object.metadata.name === 'prober-resident'),
      'not in `kubectl apply -k k8s/`: pods/exec is granted only where resident agents are wanted',
    );
  },
);

t.test('the Job runs as the prober account, with the lab expectations', async (t) => {
  const jobs = ofKind(all, 'Job');
  t.equal(jobs.length, 1);
  const pod = (
    jobs[0]!.object.spec as {
      template: { spec: { serviceAccountName: string; containers: { command: string[] }[] } };
    }
  ).template.spec;
  t.equal(pod.serviceAccountName, 'prober');
  t.same(
    pod.containers[0]?.command,
    ['prober', 'run', '-f', '/etc/prober/expectations.yaml', '-o', 'table'],
    'runs the lab expectations, table output',
  );
});
