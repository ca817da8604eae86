// The fake API server's RBAC evaluates bindings as the real authorizer does (the cases mirror
// plugin/pkg/auth/authorizer/rbac's tests), so the cluster tests' 403s are the ones a cluster gives.

import t from 'tap';
import { proberRbac } from './fake/lab.ts';
import { FakeRbac, type RequestAttributes, type UserInfo } from './fake/rbac.ts';

type Json = Record<string, unknown>;

const PROBER: UserInfo = {
  name: 'system:serviceaccount:prober:prober',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:prober', 'system:authenticated'],
};
const SA = { kind: 'ServiceAccount', name: 'prober', namespace: 'prober' };

const role = (kind: 'Role' | 'ClusterRole', name: string, rules: Json[], namespace?: string): Json => ({
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  rules,
});
const binding = (
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  roleKind: string,
  roleName: string,
  subjects: Json[],
  namespace?: string,
): Json => ({
  kind,
  metadata: { name: `${roleName}-binding`, ...(namespace ? { namespace } : {}) },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
  subjects,
});
const ask = (verb: string, resource: string, namespace?: string, name?: string, group = ''): RequestAttributes => ({
  verb,
  group,
  resource,
  namespace,
  name,
});

const CREATE_PODS = [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }];

interface Row {
  readonly name: string;
  readonly objects: Json[];
  readonly allowed: RequestAttributes[];
  readonly denied: RequestAttributes[];
}

const ROWS: Row[] = [
  {
    name: 'a ClusterRole bound by a ClusterRoleBinding grants in every namespace and at the cluster scope',
    objects: [
      role('ClusterRole', 'lister', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]),
      binding('ClusterRoleBinding', 'ClusterRole', 'lister', [SA]),
    ],
    allowed: [ask('list', 'pods', 'kube-system'), ask('list', 'pods', 'b-apacherr'), ask('list', 'pods')],
    denied: [ask('get', 'pods', 'kube-system', 'x'), ask('list', 'services')],
  },
  {
    name: 'a ClusterRole bound by a RoleBinding grants only in the namespace of the binding',
    objects: [
      role('ClusterRole', 'writer', CREATE_PODS),
      binding('RoleBinding', 'ClusterRole', 'writer', [SA], 'b-apacherr'),
    ],
    allowed: [ask('create', 'pods', 'b-apacherr')],
    denied: [ask('create', 'pods', 'kube-system'), ask('create', 'pods', 'c-app-count'), ask('create', 'pods')],
  },
  {
    name: 'a Role grants in its own namespace; a RoleBinding elsewhere naming it finds no Role there',
    objects: [
      role('Role', 'writer', CREATE_PODS, 'b-apacherr'),
      binding('RoleBinding', 'Role', 'writer', [SA], 'b-apacherr'),
      binding('RoleBinding', 'Role', 'writer', [SA], 'kube-system'),
    ],
    allowed: [ask('create', 'pods', 'b-apacherr')],
    denied: [ask('create', 'pods', 'kube-system')],
  },
  {
    name: 'a ClusterRoleBinding cannot grant a Role',
    objects: [role('Role', 'writer', CREATE_PODS, 'b-apacherr'), binding('ClusterRoleBinding', 'Role', 'writer', [SA])],
    allowed: [],
    denied: [ask('create', 'pods', 'b-apacherr')],
  },
  {
    name: 'a subresource needs its own rule; */log matches the log of any resource',
    objects: [
      role('ClusterRole', 'pods', [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] },
        { apiGroups: [''], resources: ['*/log'], verbs: ['get'] },
      ]),
      binding('ClusterRoleBinding', 'ClusterRole', 'pods', [SA]),
    ],
    allowed: [ask('get', 'pods', 'a', 'web-1'), ask('get', 'pods/log', 'a', 'web-1')],
    denied: [ask('patch', 'pods/ephemeralcontainers', 'a', 'web-1'), ask('get', 'pods/exec', 'a', 'web-1')],
  },
  {
    name: 'resourceNames limit a rule to those names and never grant list or create',
    objects: [
      role('ClusterRole', 'one', [
        { apiGroups: [''], resources: ['pods'], resourceNames: ['web-1'], verbs: ['get', 'list', 'create'] },
      ]),
      binding('ClusterRoleBinding', 'ClusterRole', 'one', [SA]),
    ],
    allowed: [ask('get', 'pods', 'a', 'web-1')],
    denied: [ask('get', 'pods', 'a', 'web-2'), ask('list', 'pods', 'a'), ask('create', 'pods', 'a')],
  },
  {
    name: 'the API group must match, or be *',
    objects: [
      role('ClusterRole', 'apps', [
        { apiGroups: ['apps'], resources: ['pods'], verbs: ['list'] },
        { apiGroups: ['*'], resources: ['services'], verbs: ['*'] },
      ]),
      binding('ClusterRoleBinding', 'ClusterRole', 'apps', [SA]),
    ],
    allowed: [ask('list', 'pods', 'a', undefined, 'apps'), ask('delete', 'services', 'a', 'web')],
    denied: [ask('list', 'pods', 'a')],
  },
  {
    name: 'subjects: a service account is namespace and name; groups and users match by name',
    objects: [
      role('ClusterRole', 'lister', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]),
      binding(
        'RoleBinding',
        'ClusterRole',
        'lister',
        [{ kind: 'ServiceAccount', name: 'prober', namespace: 'other' }],
        'a',
      ),
      binding('RoleBinding', 'ClusterRole', 'lister', [{ kind: 'Group', name: 'system:serviceaccounts:prober' }], 'b'),
      binding(
        'RoleBinding',
        'ClusterRole',
        'lister',
        [{ kind: 'User', name: 'system:serviceaccount:prober:prober' }],
        'c',
      ),
    ],
    allowed: [ask('list', 'pods', 'b'), ask('list', 'pods', 'c')],
    denied: [ask('list', 'pods', 'a')],
  },
  {
    name: 'a binding to a role that does not exist grants nothing',
    objects: [
      binding('ClusterRoleBinding', 'ClusterRole', 'missing', [SA]),
      binding('RoleBinding', 'Role', 'missing', [SA], 'a'),
    ],
    allowed: [],
    denied: [ask('list', 'pods'), ask('list', 'pods', 'a')],
  },
  {
    name: "the repository's k8s/prober/: writes and logs in the source namespaces, reads everywhere, nothing else",
    objects: proberRbac(),
    allowed: [
      ask('patch', 'pods/ephemeralcontainers', 'b-apacherr', 'web-1'),
      ask('create', 'pods', 'd-redis'),
      ask('get', 'pods/log', 'a-ingress-traefik', 'x'),
      ask('get', 'pods', 'prober', 'prober-lab-x7k2p'),
      ask('get', 'services', 'kube-system', 'kube-dns'),
      ask('list', 'endpointslices', 'kube-system', undefined, 'discovery.k8s.io'),
      ask('list', 'pods'),
      ask('list', 'pods', 'kube-system'),
    ],
    denied: [
      ask('patch', 'pods/ephemeralcontainers', 'kube-system', 'coredns-1'),
      ask('create', 'pods', 'kube-system'),
      ask('create', 'pods', 'prober'),
      ask('delete', 'pods', 'default', 'x'),
      ask('get', 'pods/log', 'kube-system', 'x'),
      ask('get', 'pods', 'kube-system', 'x'),
      ask('get', 'secrets', 'b-apacherr', 'x'),
      ask('create', 'pods/exec', 'b-apacherr', 'x'),
    ],
  },
];

for (const row of ROWS) {
  t.test(row.name, async (t) => {
    const rbac = new FakeRbac();
    rbac.load(row.objects);
    const user = PROBER;
    const show = (r: RequestAttributes): string =>
      `${r.verb} ${r.group ? `${r.group}/` : ''}${r.resource}${r.name ? ` ${r.name}` : ''} ${r.namespace ? `in ${r.namespace}` : 'cluster-wide'}`;
    for (const request of row.allowed) t.ok(rbac.allows(user, request), `allowed: ${show(request)}`);
    for (const request of row.denied) t.notOk(rbac.allows(user, request), `denied: ${show(request)}`);
    t.notOk(
      rbac.allows(
        { name: 'system:serviceaccount:other:prober', groups: ['system:serviceaccounts:other'] },
        row.allowed[0] ?? ask('list', 'pods'),
      ),
      'another account gets none of it',
    );
  });
}
