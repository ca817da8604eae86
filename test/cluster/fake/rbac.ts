// RBAC as the API server's authorizer evaluates it (plugin/pkg/auth/authorizer/rbac): a ClusterRoleBinding
// grants its ClusterRole everywhere; a RoleBinding grants its Role, or a ClusterRole, in its own namespace only.

type Json = Record<string, unknown>;

/** Who is asking: the user name and groups the authenticator gave the token. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

/** What is asked, as the request-info resolver splits a path: `pods/log` is resource plus subresource. */
export interface RequestAttributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  /** Undefined for a cluster-scoped request (namespaces, or a list across all namespaces). */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

interface Binding {
  /** Undefined for a ClusterRoleBinding. */
  readonly namespace: string | undefined;
  readonly roleKind: string;
  readonly roleName: string;
  readonly subjects: readonly { kind: string; name: string; namespace?: string }[];
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

function rulesOf(object: Json): PolicyRule[] {
  return ((object.rules ?? []) as Json[]).map((rule) => ({
    verbs: strings(rule.verbs),
    apiGroups: strings(rule.apiGroups),
    resources: strings(rule.resources),
    resourceNames: strings(rule.resourceNames),
  }));
}

/** `rbacv1helpers.ResourceMatches`: `*`, the exact `resource/subresource`, or `*` for any resource with that subresource. */
function resourceMatches(rule: PolicyRule, resource: string): boolean {
  const [, sub] = resource.split('/');
  return rule.resources.some((r) => r === '*' || r === resource || (sub !== undefined && r === `*/${sub}`));
}

function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  const verb = rule.verbs.includes('*') || rule.verbs.includes(request.verb);
  const group = rule.apiGroups.includes('*') || rule.apiGroups.includes(request.group);
  // Rules naming resources never match a request without a name (list, create): as upstream.
  const name =
    rule.resourceNames.length === 0 || (request.name !== undefined && rule.resourceNames.includes(request.name));
  return verb && group && resourceMatches(rule, request.resource) && name;
}

function appliesTo(binding: Binding, user: UserInfo): boolean {
  return binding.subjects.some((s) => {
    switch (s.kind) {
      case 'User':
        return s.name === user.name;
      case 'Group':
        return user.groups.includes(s.name);
      case 'ServiceAccount':
        return s.namespace !== undefined && user.name === `system:serviceaccount:${s.namespace}:${s.name}`;
      default:
        return false;
    }
  });
}

/** The RBAC objects of a fake cluster, and the authorizer over them. */
export class FakeRbac {
  readonly #roles = new Map<string, PolicyRule[]>();
  readonly #clusterRoles = new Map<string, PolicyRule[]>();
  readonly #bindings: Binding[] = [];

  /** Stores the Roles, ClusterRoles and their bindings among `objects`; other kinds are ignored. */
  load(objects: readonly Json[]): void {
    for (const object of objects) {
      const meta = (object.metadata ?? {}) as { name?: string; namespace?: string };
      const name = String(meta.name ?? '');
      switch (object.kind) {
        case 'Role':
          this.#roles.set(`${meta.namespace ?? ''}/${name}`, rulesOf(object));
          break;
        case 'ClusterRole':
          this.#clusterRoles.set(name, rulesOf(object));
          break;
        case 'RoleBinding':
        case 'ClusterRoleBinding': {
          const roleRef = (object.roleRef ?? {}) as { kind?: string; name?: string };
          this.#bindings.push({
            namespace: object.kind === 'RoleBinding' ? String(meta.namespace ?? '') : undefined,
            roleKind: String(roleRef.kind ?? ''),
            roleName: String(roleRef.name ?? ''),
            subjects: (object.subjects ?? []) as Binding['subjects'],
          });
          break;
        }
        default:
          break;
      }
    }
  }

  /** The rules a binding grants; a role it names that does not exist grants nothing. */
  #rulesOf(binding: Binding): PolicyRule[] {
    if (binding.roleKind === 'ClusterRole') return this.#clusterRoles.get(binding.roleName) ?? [];
    // A ClusterRoleBinding may only refer to a ClusterRole; a RoleBinding's Role is in its own namespace.
    if (binding.roleKind === 'Role' && binding.namespace !== undefined)
      return this.#roles.get(`${binding.namespace}/${binding.roleName}`) ?? [];
    return [];
  }

  /**
   * Whether some binding of the user grants the request: every ClusterRoleBinding, and for a request
   * in a namespace also the RoleBindings of that namespace (never those of another).
   */
  allows(user: UserInfo, request: RequestAttributes): boolean {
    return this.#bindings.some(
      (binding) =>
        (binding.namespace === undefined || binding.namespace === request.namespace) &&
        appliesTo(binding, user) &&
        this.#rulesOf(binding).some((rule) => ruleAllows(rule, request)),
    );
  }
}
