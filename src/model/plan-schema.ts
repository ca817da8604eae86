// The ProbePlan's JSON Schema in TypeBox: the one source of the plan's type and of the agent's validator.
//
// Only types are taken from here at run time's hot path (model/plan.ts); the schema objects are read
// by the validators (compiled at build time into standalone code) and by `npm run schemas`, which
// writes src/config/probe-plan.schema.json from them.

import { type Static, Type } from 'typebox';
import { PROBE_TIMEOUT, SETTLE_WINDOW } from './duration.ts';
import { constant, ERROR_MESSAGE, oneOf, ref } from './json-schema.ts';
import { MAX_UDP_PAYLOAD_BYTES } from './udp-payload.ts';

/** An exact HTTP status. */
export const StatusCode = Type.Integer({ minimum: 100, maximum: 599 });

/** A class of HTTP statuses, `1xx` … `5xx`. */
export const StatusClass = Type.Unsafe<`${1 | 2 | 3 | 4 | 5}xx`>({
  type: 'string',
  pattern: '^[1-5]xx$',
  [ERROR_MESSAGE]: 'is not a status class (1xx … 5xx)',
});

/** How often a probe may be tried, in plans and test files alike. */
export const Attempts = Type.Integer({ minimum: 1, maximum: 10 });

/** How many probes run at once, in plans and test files alike. */
export const Concurrency = Type.Integer({ minimum: 1, maximum: 4096 });

/**
 * A probe timeout in milliseconds. Its range is PROBE_TIMEOUT, the range `--timeout` and a test
 * file's `timeout` fields are held to, so a plan an orchestrator writes always passes its agent's check.
 */
const TimeoutMs = Type.Integer({ minimum: PROBE_TIMEOUT.minMs, maximum: PROBE_TIMEOUT.maxMs });

/** A `tcp://` probe's settle window in milliseconds (0: off); absent, the agent uses the default window. */
const SettleMs = Type.Integer({ minimum: SETTLE_WINDOW.minMs, maximum: SETTLE_WINDOW.maxMs });

/** The statuses a plan's probe counts as allow or deny: always a list (the orchestrator normalised it). */
const StatusList = Type.Array(oneOf(StatusCode, StatusClass));

const Verdict = Type.Enum(['allow', 'deny']);

/** The datagram a `udp://` probe sends, as lowercase hex (the orchestrator checked and converted it). */
const PayloadHex = Type.String({
  pattern: '^([0-9a-f]{2})*$',
  maxLength: 2 * MAX_UDP_PAYLOAD_BYTES,
  [ERROR_MESSAGE]: `is not a hex payload of at most ${MAX_UDP_PAYLOAD_BYTES} bytes`,
});

/** One probe of a plan. `expect` lets the agent stop retrying once the cell agrees. */
const PlannedProbe = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    url: Type.String(),
    expect: Type.Optional(Verdict),
    timeoutMs: Type.Optional(ref('timeoutMs', TimeoutMs)),
    attempts: Type.Optional(Attempts),
    settleMs: Type.Optional(ref('settleMs', SettleMs)),
    expectStatus: Type.Optional(ref('statusSet', StatusList)),
    denyStatus: Type.Optional(ref('statusSet', StatusList)),
    /** Probe over this IP family only: the agent resolves the name for it. */
    family: Type.Optional(Type.Enum(['ipv4', 'ipv6'])),
    payloadHex: Type.Optional(PayloadHex),
  },
  { additionalProperties: false },
);

/**
 * A sidecar proxy the agent waits for before its first probe: a classic (non-native) sidecar captures
 * traffic before it listens. The URL is the proxy's own readiness endpoint on the pod's loopback.
 */
const ProxyReadySchema = Type.Object(
  {
    mesh: Type.String({ minLength: 1, maxLength: 64 }),
    url: Type.String({
      pattern: '^http://127\\.0\\.0\\.1:[0-9]{1,5}/[^\\s]*$',
      [ERROR_MESSAGE]: 'is not an http://127.0.0.1:PORT/PATH URL',
    }),
    deadlineMs: Type.Integer({ minimum: 1000, maximum: 3_600_000 }),
  },
  { additionalProperties: false },
);

/** The ProbePlan schema: what `prober agent` reads, all probes of one source. */
export const ProbePlanSchema = Type.Object(
  {
    apiVersion: constant('prober/v1alpha1'),
    kind: constant('ProbePlan'),
    source: Type.String({ minLength: 1 }),
    defaults: Type.Object(
      {
        timeoutMs: ref('timeoutMs', TimeoutMs),
        attempts: Attempts,
        concurrency: Concurrency,
        settleMs: Type.Optional(ref('settleMs', SettleMs)),
      },
      { additionalProperties: false },
    ),
    probes: Type.Array(PlannedProbe),
    proxyReady: Type.Optional(ProxyReadySchema),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://prober.dev/schemas/probe-plan.json',
    title: 'ProbePlan',
    additionalProperties: false,
    definitions: { timeoutMs: TimeoutMs, settleMs: SettleMs, statusSet: StatusList },
  },
);

/** A probe plan as the schema admits it (mutable; model/plan.ts hands it on read-only). */
export type ProbePlanDocument = Static<typeof ProbePlanSchema>;

/** The proxy an agent waits for, as the schema admits it. */
export type ProxyReadyDocument = Static<typeof ProxyReadySchema>;

/** One probe of a plan as the schema admits it. */
export type PlannedProbeDocument = Static<typeof PlannedProbe>;

/** HTTP statuses as a plan lists them. */
export type StatusListDocument = Static<typeof StatusList>;
