// The prober's RBAC grants exactly the access listed here, to its own service account only.

import t from 'tap';
import { renderAll } from './lab.ts';
import { ofKind } from './manifests.ts';

/**
 * Everything the prober's cluster mode may do, as `group/resource` → verbs (core group: empty).
 * This list is the specification: tighten it to what the cluster mode really calls, and the
 * ClusterRole in k8s/prober/P-01-prober-rbac.yaml must follow (the test fails either way).
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  '/namespaces': ['list'],
  '/pods': ['list', 'get', 'create', 'delete'],
  '/pods/ephemeralcontainers': ['patch'],
  '/pods/log': ['get'],
  '/services': ['list', 'get'],
  'discovery.k8s.io/endpointslices': ['list'],
  'networking.k8s.io/networkpolicies': ['list'],
  // Read-only, for `expect: fromPolicies` against the live cluster.
  'policy.networking.k8s.io/adminnetworkpolicies': ['list'],
  'policy.networking.k8s.io/baselineadminnetworkpolicies': ['list'],
  'cilium.io/ciliumnetworkpolicies': ['list'],
  'security.istio.io/authorizationpolicies': ['list'],
};

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const { all } = renderAll();
const role = ofKind(all, 'ClusterRole').find((o) => o.object.metadata.name === 'prober');
const rules = (role?.object['rules'] ?? []) as Rule[];

t.test('the ClusterRole grants no verb beyond the allowed list, and nothing is missing', async (t) => {
  if (!role) throw new Error('ClusterRole prober not found');
  const granted = new Map<string, Set<string>>();
  for (const rule of rules) {
    t.notOk(rule.nonResourceURLs, 'no non-resource URLs');
    t.notOk(rule.resourceNames, 'no per-name rules (the prober works on any lab pod)');
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) {
          t.not(`${group}${resource}${verb}`.includes('*'), true, `no wildcard in ${group}/${resource} ${verb}`);
          const key = `${group}/${resource}`;
          t.ok(ALLOWED[key]?.includes(verb), `${verb} ${key} is allowed`);
          granted.set(key, (granted.get(key) ?? new Set()).add(verb));
        }
      }
    }
  }
  for (const [key, verbs] of Object.entries(ALLOWED)) t.same([...(granted.get(key) ?? [])].sort(), [...verbs].sort(), `${key}: granted as listed`);
});

t.test('only the prober service account holds the role, and the Job runs as it', async (t) => {
  const bindings = [...ofKind(all, 'ClusterRoleBinding'), ...ofKind(all, 'RoleBinding')].filter((b) => (b.object['roleRef'] as { name: string }).name === 'prober');
  t.equal(bindings.length, 1, 'one binding');
  const [binding] = bindings;
  t.match(binding?.object['roleRef'], { kind: 'ClusterRole', name: 'prober', apiGroup: 'rbac.authorization.k8s.io' });
  t.same(binding?.object['subjects'], [{ kind: 'ServiceAccount', name: 'prober', namespace: 'prober' }]);
  const jobs = ofKind(all, 'Job');
  t.equal(jobs.length, 1);
  const pod = (jobs[0]?.object['spec'] as { template: { spec: { serviceAccountName: string; containers: { command: string[] }[] } } }).template.spec;
  t.equal(pod.serviceAccountName, 'prober');
  t.same(pod.containers[0]?.command, ['prober', 'run', '-f', '/etc/prober/expectations.yaml', '-o', 'table'], 'runs the lab expectations, table output');
  // No other binding in the repository refers to the prober's account.
  const others = [...ofKind(all, 'ClusterRoleBinding'), ...ofKind(all, 'RoleBinding')].filter(
    (b) => b !== binding && ((b.object['subjects'] ?? []) as { name: string; namespace?: string }[]).some((s) => s.name === 'prober' && s.namespace === 'prober'),
  );
  t.same(others, [], 'no other grants');
});
