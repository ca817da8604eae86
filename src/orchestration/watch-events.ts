// The events.k8s.io/v1 Event the in-cluster watch emits for a cell that flipped, regarding its
// ReachabilityTest: `kubectl describe reachabilitytest NAME` lists them. Its reason is the cell's new
// state in the status's words (Matched, Drifted, Undecided), its type Warning when the cell is now off;
// its note says which cell went from what to what, and why (what was observed, the probe's reason).
// Pure.

import type { TestResource } from '../cluster/test-resources.ts';
import type { Flip } from '../model/watch-cells.ts';

/** MicroTime as kube-apiserver decodes it: exactly six fractional digits. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const REASON: Readonly<Record<string, string>> = {
  matched: 'Matched',
  mismatched: 'Drifted',
  undecided: 'Undecided',
  unchecked: 'Unchecked',
};

/** The events.k8s.io/v1 Event of one flipped cell. */
export function flipEvent(
  test: TestResource,
  flip: Flip,
  at: Date,
  index: number,
  instance: string,
): Record<string, unknown> {
  const { cell, from } = flip;
  const why = [cell.observed, cell.reason].filter(Boolean).join(': ');
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: `${test.metadata.name}.${at.getTime().toString(16)}${index}`,
      namespace: test.metadata.namespace,
    },
    eventTime: microTime(at),
    type: cell.state === 'matched' || cell.state === 'unchecked' ? 'Normal' : 'Warning',
    reason: REASON[cell.state] ?? 'Flipped',
    action: 'Probe',
    note: `${cell.source} → ${cell.target} (${cell.family}): ${from} → ${cell.state}${why ? ` (${why})` : ''}`.slice(
      0,
      1024,
    ),
    reportingController: 'prober.dev/watch',
    reportingInstance: instance.slice(0, 128),
    regarding: {
      apiVersion: test.apiVersion,
      kind: test.kind,
      namespace: test.metadata.namespace,
      name: test.metadata.name,
      uid: test.metadata.uid,
      resourceVersion: test.metadata.resourceVersion,
    },
  };
}
