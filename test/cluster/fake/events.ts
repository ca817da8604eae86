// Events, as the API server stores them: created through `events.k8s.io/v1` (what the watch's controller
// uses: the API client-go's newer events recorder writes, with the reporting controller and instance
// `kubectl describe` groups by) and listed there or as core v1 Events, the same objects seen through
// the older API (`kubectl describe` reads `/api/v1/.../events`). A create is validated as
// pkg/apis/core/validation/events.go ValidateEventCreate does for events.k8s.io/v1, with its field
// paths, which are those of the internal core Event (`involvedObject`, `message`).

import { randomBytes } from 'node:crypto';
import * as status from './status.ts';

type Json = Record<string, any>;

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN = PREFIX;

/** upstream's validation.IsQualifiedName: an optional DNS-subdomain prefix and a name of at most 63. */
function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts.at(-1) ?? '';
  const prefix = parts.length === 2 ? parts[0]! : undefined;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** The field errors of an events.k8s.io/v1 Event created in `namespace`. */
export function eventErrors(event: Json, namespace: string): string[] {
  const errors: string[] = [];
  const name = event.metadata?.name ?? '';
  if (!name && !event.metadata?.generateName)
    errors.push('metadata.name: Required value: name or generateName is required');
  else if (name && (name.length > 253 || !DNS_SUBDOMAIN.test(name)))
    errors.push(
      `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  const regarding = event.regarding ?? {};
  if (!regarding.namespace && namespace !== 'default' && namespace !== 'kube-system')
    errors.push(`involvedObject.namespace: Invalid value: "": does not match event.namespace`);
  const required = (field: string, value: unknown, limit?: number, path = field): void => {
    const text = typeof value === 'string' ? value : '';
    if (text.length === 0) errors.push(`${path}: Required value`);
    // Go's len: bytes of UTF-8, not characters.
    if (limit !== undefined && Buffer.byteLength(text) > limit)
      errors.push(`${path}: Invalid value: "": can have at most ${limit} characters`);
  };
  required('reportingController', event.reportingController);
  if (event.reportingController && !isQualifiedName(event.reportingController))
    errors.push(`reportingController: Invalid value: "${event.reportingController}": must be a qualified name`);
  required('reportingInstance', event.reportingInstance, 128);
  required('action', event.action, 128);
  required('reason', event.reason, 128);
  // NoteLengthLimit against Go's len(note): bytes, so a note of 1,024 characters with arrows is refused.
  if (typeof event.note === 'string' && Buffer.byteLength(event.note) > 1024)
    errors.push('message: Invalid value: "": can have at most 1024 characters');
  if (event.series) {
    if (!(event.series.count >= 2)) errors.push('series.count: Invalid value: "": should be at least 2');
    if (!event.series.lastObservedTime) errors.push('series.lastObservedTime: Required value');
  }
  if (!event.eventTime) errors.push('eventTime: Required value');
  if (event.type !== 'Normal' && event.type !== 'Warning')
    errors.push(`type: Invalid value: "": has invalid value: ${event.type ?? ''}`);
  for (const field of ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount', 'deprecatedSource'])
    if (event[field])
      errors.push(
        `${field.replace('deprecated', '').replace(/^./, (c) => c.toLowerCase())}: Invalid value: "": needs to be unset`,
      );
  return errors;
}

/**
 * metav1.MicroTime decodes with the fixed layout RFC3339Micro, exactly six fractional digits
 * (apimachinery pkg/apis/meta/v1/micro_time.go): JavaScript's `toISOString()`, with three, is refused
 * before validation, as a 400 (kubernetes/kubernetes#89156; #141204 would relax it).
 */
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

function checkMicroTimes(event: Json): void {
  for (const value of [event.eventTime, event.series?.lastObservedTime])
    if (value !== undefined && value !== null && !(typeof value === 'string' && MICRO_TIME.test(value)))
      throw status.badRequest(
        `Event in version "v1" cannot be handled as a Event: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse it`,
      );
}

/** The Events of the fake cluster. */
export class FakeEvents {
  readonly #events: Json[] = [];
  readonly #bump: (object: Json) => number;

  constructor(bump: (object: Json) => number) {
    this.#bump = bump;
  }

  /** POST /apis/events.k8s.io/v1/namespaces/NS/events. */
  create(namespace: string, body: Json): Json {
    if (body.metadata?.namespace !== undefined && body.metadata.namespace !== namespace)
      throw status.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    checkMicroTimes(body);
    const errors = eventErrors(body, namespace);
    if (errors.length > 0) throw status.invalidKind('Event', 'events.k8s.io', body.metadata?.name ?? '', errors);
    const name = body.metadata.name || `${body.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    if (this.#events.some((e) => e.metadata.namespace === namespace && e.metadata.name === name))
      throw status.alreadyExists('events.events.k8s.io', name);
    const event = {
      ...structuredClone(body),
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: {
        ...body.metadata,
        name,
        namespace,
        uid: randomBytes(8).toString('hex'),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    this.#bump(event);
    this.#events.push(event);
    return structuredClone(event);
  }

  /** The events of a namespace (or all), as events.k8s.io/v1 objects. */
  list(namespace?: string): Json[] {
    return this.#events
      .filter((e) => namespace === undefined || e.metadata.namespace === namespace)
      .map((e) => structuredClone(e));
  }

  /** The same events as core v1 Events (the field names `kubectl describe` reads). */
  listCore(namespace?: string): Json[] {
    return this.list(namespace).map((e) => ({
      metadata: e.metadata,
      involvedObject: e.regarding,
      reason: e.reason,
      message: e.note ?? '',
      type: e.type,
      eventTime: e.eventTime,
      action: e.action,
      reportingComponent: e.reportingController,
      reportingInstance: e.reportingInstance,
      source: {},
      count: e.series?.count ?? 0,
      ...(e.related ? { related: e.related } : {}),
    }));
  }
}
