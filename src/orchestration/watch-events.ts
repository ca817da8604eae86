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

/** What distinguishes one Event from another: its type, reason and note. */
interface EventText {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly note: string;
}

/** The most bytes of an Event's note kube-apiserver takes (validation counts bytes, not characters). */
const MAX_NOTE_BYTES = 1024;
/** The longest object name (a DNS subdomain). */
const MAX_NAME = 253;

/** `text` cut to at most `max` UTF-8 bytes, never inside a character. */
export function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > max) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * An Event's name: the test's, cut so that the run's suffix fits a DNS subdomain (and not left ending
 * in `-` or `.`), then the run's time and the Event's index.
 */
export function eventName(testName: string, at: Date, index: number): string {
  const suffix = `.${at.getTime().toString(16)}${index}`;
  const base = testName.slice(0, MAX_NAME - suffix.length).replace(/[-.]+$/, '');
  return `${base}${suffix}`;
}

/** An events.k8s.io/v1 Event regarding `test`, the `index`-th of its run at `at`. */
function eventAbout(test: TestResource, at: Date, index: number, instance: string, text: EventText) {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: eventName(test.metadata.name, at, index),
      namespace: test.metadata.namespace,
    },
    eventTime: microTime(at),
    type: text.type,
    reason: text.reason,
    action: 'Probe',
    // kube-apiserver refuses a note over 1 KiB; the arrows are 3 bytes each.
    note: cutToBytes(text.note, MAX_NOTE_BYTES),
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

/** Whether a cell in `state` is off its intent: its Event is a Warning. */
const isOff = (state: string): boolean => state !== 'matched' && state !== 'unchecked';

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
  return eventAbout(test, at, index, instance, {
    type: isOff(cell.state) ? 'Warning' : 'Normal',
    reason: REASON[cell.state] ?? 'Flipped',
    note: `${cell.source} → ${cell.target} (${cell.family}): ${from} → ${cell.state}${why ? ` (${why})` : ''}`,
  });
}

/**
 * One Event for the flips of a run beyond those given an Event each: how many, and which, as far as a
 * note holds them. A Warning when any of them is now off; the status lists them all.
 */
export function moreFlipsEvent(
  test: TestResource,
  flips: readonly Flip[],
  at: Date,
  index: number,
  instance: string,
): Record<string, unknown> {
  const cells = flips.map(
    ({ cell, from }) => `${cell.source} → ${cell.target} (${cell.family}): ${from} → ${cell.state}`,
  );
  return eventAbout(test, at, index, instance, {
    type: flips.some((f) => isOff(f.cell.state)) ? 'Warning' : 'Normal',
    reason: 'Flipped',
    note: `${flips.length} more cells flipped in this run (the status lists the flips): ${cells.join('; ')}`,
  });
}
