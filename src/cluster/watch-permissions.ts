// The permissions `prober watch --cluster` needs beyond those of its runs (which are `prober run
// --agent=resident`'s, in kube-api.ts): the calls of test-resources.ts, made through client-node's
// informer and its CustomObjectsApi and EventsV1Api rather than KubeApi. They are rows of the same
// permission table, granted by the ClusterRole prober-watch (k8s/prober/watch/watch-rbac.yaml), which
// test/k8s/rbac.test.ts checks against them. Only the status is written (never a test's spec), and
// Events are only created; both in the namespaces the tests live in, which may be any.

import { TEST_RESOURCE } from '../model/reachability-status.ts';
import type { Permission } from './rbac-hints.ts';

const { group, plural } = TEST_RESOURCE;

/** The controller's own calls, in the order it makes them. */
export const WATCH_PERMISSIONS: readonly Permission[] = [
  {
    verb: 'list',
    group,
    resource: plural,
    scope: 'cluster',
    grants: ['watch'],
    purpose: '`watch --cluster`: the informer lists the ReachabilityTests (of every namespace, or of `-n`)',
  },
  {
    verb: 'watch',
    group,
    resource: plural,
    scope: 'cluster',
    grants: ['watch'],
    purpose: '`watch --cluster`: then watches them, resuming from the last resourceVersion',
  },
  {
    verb: 'get',
    group,
    resource: plural,
    scope: 'namespace',
    grants: ['watch'],
    purpose: '`watch --cluster`: read a test again after a 409 Conflict on its status',
  },
  {
    verb: 'update',
    group,
    resource: `${plural}/status`,
    scope: 'namespace',
    grants: ['watch'],
    purpose: "`watch --cluster`: write a test's status after each run (the status subresource only)",
  },
  {
    verb: 'create',
    group: 'events.k8s.io',
    resource: 'events',
    scope: 'namespace',
    grants: ['watch'],
    purpose: '`watch --cluster`: an Event about the test for each cell that flips',
  },
];
