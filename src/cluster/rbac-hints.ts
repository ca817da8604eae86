// What a 403 tells a person: the permission prober lacks, named as kubectl names it, and which of
// prober's roles in `k8s/prober/` grants it (the table of which call needs which is in kube-api.ts).

/**
 * Where prober's RBAC (`k8s/prober/`) grants a permission: in the ClusterRole `prober` bound
 * cluster-wide (the targets' reads), in the ClusterRole `prober-from-policies` (the cluster-wide reads of
 * `expect: fromPolicies`, optional), in the Role `prober-source` of every source namespace (ephemeral
 * agents: no pod create), in the opt-in Role `prober-probe-pod` of a source namespace (probe pods), in
 * the Role `prober-self` of prober's own namespace, in the read-only ClusterRole `prober-simulate`
 * (`k8s/prober/simulate/`, bound to whoever runs `prober simulate --cluster`), in the read-only ClusterRole
 * `prober-cleanup` (`k8s/prober/cleanup/`, bound to whoever runs `prober cleanup --all-namespaces`), or,
 * for discovery, by every cluster's own `system:discovery` binding; `prober watch --cluster`'s own calls
 * in the ClusterRole `prober-watch` (`k8s/prober/watch/`).
 */
export type Grant =
  | 'cluster'
  | 'from-policies'
  | 'source-namespace'
  | 'probe-pod'
  | 'own-namespace'
  | 'discovery'
  | 'simulate'
  | 'cleanup'
  | 'resident'
  | 'watch';

/** An RBAC permission: what a Role/ClusterRole rule must grant for one call. */
export interface Permission {
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'delete' | 'patch';
  /** API group; "" is the core group. */
  readonly group: string;
  /** Resource, with the subresource after a slash (`pods/log`). */
  readonly resource: string;
  /** Whether the call is made in one namespace or across the cluster. */
  readonly scope: 'namespace' | 'cluster';
  /**
   * Which of prober's roles grant it, each on its own enough for the calls it serves; a 403 points to
   * the first. Never a write verb cluster-wide (trust rule 6).
   */
  readonly grants: readonly [Grant, ...Grant[]];
  /** Why prober makes the call, for the README's RBAC table. */
  readonly purpose: string;
}

/** `patch pods/ephemeralcontainers` — how a permission is named in messages. */
export function permissionLabel(permission: Permission): string {
  const group = permission.group ? `.${permission.group}` : '';
  const [resource, sub] = permission.resource.split('/');
  return `${permission.verb} ${resource}${group}${sub ? `/${sub}` : ''}`;
}

/** Where prober's RBAC lives in this repository, and the base applied once per source namespace. */
const RBAC_MANIFESTS = {
  roles: 'k8s/prober/P-01-prober-rbac.yaml',
  fromPolicies: 'k8s/prober/from-policies',
  sourceNamespace: 'k8s/prober/source-namespace',
  probePodNamespace: 'k8s/prober/probe-pod-namespace',
  simulate: 'k8s/prober/simulate/prober-simulate.yaml',
  cleanup: 'k8s/prober/cleanup/prober-cleanup.yaml',
  residentNamespace: 'k8s/prober/resident-namespace',
  watch: 'k8s/prober/watch/watch-rbac.yaml',
} as const;

/**
 * What `--as` and `--as-group` need, which none of prober's roles grants: the `impersonate` verb, for
 * the kubeconfig's own user, on each thing named (the API server's impersonation filter checks every
 * Impersonate-* header before the request itself, then authorizes the request as the user named).
 */
export const IMPERSONATE_PERMISSIONS = [
  { verb: 'impersonate', group: '', resource: 'users', purpose: '--as NAME' },
  {
    verb: 'impersonate',
    group: '',
    resource: 'serviceaccounts',
    purpose: '--as system:serviceaccount:NS:NAME (in NS)',
  },
  { verb: 'impersonate', group: '', resource: 'groups', purpose: '--as-group NAME, each' },
] as const;

/** The hint of a 403 to `--as`/`--as-group`: who grants `impersonate`, and that prober's roles never do. */
export const IMPERSONATE_HINT = `--as and --as-group need the impersonate verb on ${IMPERSONATE_PERMISSIONS.map((p) => p.resource).join(', ')} for the kubeconfig's own user (a ClusterRole a cluster admin binds; prober's roles never grant it), and the request itself is then authorized as the user named`;

/**
 * What a person does to grant a permission prober lacks, for 403 messages: a source namespace gets
 * the Role `prober-source` (docs/cluster.md, "Add a source namespace"); the rest live in one file.
 */
export function grantHint(permission: Permission, namespace: string | undefined): string {
  const [grant] = permission.grants;
  switch (grant) {
    case 'source-namespace': {
      const ns = namespace ?? 'NAMESPACE';
      return `prober acts only in its source namespaces; add ${ns} with: kubectl apply -n ${ns} -k ${RBAC_MANIFESTS.sourceNamespace} (see "Add a source namespace" in docs/cluster.md)`;
    }
    case 'probe-pod': {
      const ns = namespace ?? 'NAMESPACE';
      return `prober creates probe pods only where the opt-in Role prober-probe-pod is (creating pods runs code as any service account there); add it to ${ns} with: kubectl apply -n ${ns} -k ${RBAC_MANIFESTS.probePodNamespace}, or keep agents ephemeral there (--agent=ephemeral)`;
    }
    case 'from-policies':
      return `grant it in the ClusterRole prober-from-policies (${RBAC_MANIFESTS.fromPolicies}), which only expect: fromPolicies needs`;
    case 'own-namespace':
      return `grant it with the Role prober-self in prober's own namespace${namespace ? ` ${namespace}` : ''} (${RBAC_MANIFESTS.roles})`;
    case 'cluster':
      return `grant it in the ClusterRole prober (${RBAC_MANIFESTS.roles})`;
    case 'simulate':
      return `grant it in the ClusterRole prober-simulate (${RBAC_MANIFESTS.simulate}) and bind it to whoever runs simulate`;
    case 'cleanup':
      return `grant it in the ClusterRole prober-cleanup (${RBAC_MANIFESTS.cleanup}) and bind it to whoever runs cleanup --all-namespaces, or name the namespaces with -n`;
    case 'resident': {
      const ns = namespace ?? 'NAMESPACE';
      return `--agent=resident execs each run's plan into the source pod's resident agent, which only the opt-in Role prober-resident allows (pods/exec runs commands in any container of the namespace's pods); add it to ${ns} with: kubectl apply -n ${ns} -k ${RBAC_MANIFESTS.residentNamespace}, or use --agent=ephemeral there`;
    }
    case 'watch':
      return `grant it in the ClusterRole prober-watch (${RBAC_MANIFESTS.watch}), which prober watch --cluster needs`;
    case 'discovery':
      return 'every cluster grants discovery to authenticated users (ClusterRole system:discovery); ask the cluster admin';
    default: {
      const unreachable: never = grant;
      throw new Error(`unknown grant ${String(unreachable)}`);
    }
  }
}
