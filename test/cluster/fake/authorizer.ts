// Who may do what on the fake API server: RBAC as the API server's authorizer decides it (rbac.ts), once a
// test loads Roles and bindings, and on top of it the denials a test adds. Until RBAC is loaded every
// request is allowed, as for a cluster admin's kubeconfig.

import { FakeRbac } from './rbac.ts';
import type { Target } from './request.ts';

/** The fake's authorizer, for one user (prober's service account). */
export class FakeAuthorizer {
  readonly #denied = new Set<string>();
  #rbac: FakeRbac | undefined;
  readonly #user: { readonly name: string; readonly groups: readonly string[] };

  constructor(user: string, groups: readonly string[]) {
    this.#user = { name: user, groups };
  }

  /** Authorizes every request with these Roles, ClusterRoles and bindings. */
  enforceRbac(objects: readonly Record<string, unknown>[]): void {
    this.#rbac ??= new FakeRbac();
    this.#rbac.load(objects);
  }

  /** Denies `verb` on `resource` (`pods/ephemeralcontainers`) in a namespace, or everywhere. */
  deny(verb: string, resource: string, namespace?: string): void {
    this.#denied.add(`${verb} ${resource} ${namespace ?? '*'}`);
  }

  /** Whether the user may do this, by RBAC and the test's denials. */
  allows(verb: string, target: Target): boolean {
    const denied = [`${verb} ${target.resource} ${target.namespace ?? '*'}`, `${verb} ${target.resource} *`].some(
      (rule) => this.#denied.has(rule),
    );
    return !denied && (this.#rbac === undefined || this.#rbac.allows(this.#user, { verb, ...target }));
  }
}
