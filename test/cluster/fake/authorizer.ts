// Who may do what on the fake API server: RBAC as the API server's authorizer decides it (rbac.ts), once a
// test loads Roles and bindings, and on top of it the denials a test adds. Until RBAC is loaded every
// request is allowed, as for a cluster admin's kubeconfig.

import { FakeRbac, type UserInfo } from './rbac.ts';
import type { Target } from './request.ts';

/** The fake's authorizer, for prober's service account unless a request impersonates another user. */
export class FakeAuthorizer {
  readonly #denied = new Set<string>();
  #rbac: FakeRbac | undefined;
  readonly #user: UserInfo;

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

  /** The authenticated user: prober's service account. */
  get user(): UserInfo {
    return this.#user;
  }

  /** Whether `user` (by default the authenticated one) may do this, by RBAC and the test's denials. */
  allows(verb: string, target: Target, user: UserInfo = this.#user): boolean {
    const denied = [`${verb} ${target.resource} ${target.namespace ?? '*'}`, `${verb} ${target.resource} *`].some(
      (rule) => this.#denied.has(rule),
    );
    return !denied && (this.#rbac === undefined || this.#rbac.allows(user, { verb, ...target }));
  }
}
