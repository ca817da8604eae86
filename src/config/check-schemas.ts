// The schemas of `spec.checks`: one object per kind of check (a rate limit, a zone affinity) and the
// `Check` that names exactly one of them. schemas.ts places them in the ReachabilityTest schema.

import { Type } from 'typebox';
import {
  DEFAULT_AFFINITY_REQUESTS,
  DEFAULT_IDENTITY_HEADER,
  MAX_AFFINITY_REQUESTS,
  MAX_AFFINITY_SOURCES,
  MIN_AFFINITY_REQUESTS,
} from '../model/affinity.ts';
import { constant, ERROR_MESSAGE, oneOf, ref } from '../model/json-schema.ts';
import { StatusCode } from '../model/plan-schema.ts';
import { DEFAULT_PHASE_MS, MAX_RATE_PER_SECOND, RATE_PATTERN, TOLERANCE_PATTERN } from '../model/rate-limit.ts';
import { Duration, doc, Name } from './schema-parts.ts';

/** A rate: requests per second or per minute. */
export const Rate = Type.String({ pattern: RATE_PATTERN, [ERROR_MESSAGE]: 'is not a rate (write e.g. 10/s or 600/m)' });

export const RateLimit = Type.Object(
  {
    from: doc(
      ref('name', Name),
      'The source that sends, by name: a `local: true` source for `check` (or `run`), a workload for `lab test` (sent from its first lab pod) and `run` (from one of its Ready pods).',
    ),
    to: doc(ref('name', Name), 'The target, by name: an `http://` or `https://` target probed over one family.'),
    limit: doc(
      ref('rate', Rate),
      'The limit expected per replica: `10/s`, `600/m`. Alone, it asks for the default judgement: ' +
        'at 0.5× the limit nothing is rejected, at 2× the accepted rate is the limit ± the tolerance.',
    ),
    burst: Type.Optional(
      doc(Type.Integer({ minimum: 0, maximum: 1_000_000 }), 'Requests accepted at once on top of the rate.', 0),
    ),
    replicas: Type.Optional(
      doc(
        Type.Integer({ minimum: 1, maximum: 10_000 }),
        'Replicas that each enforce the limit on their own (a local limit per proxy): the limit in all is limit × replicas.',
        1,
      ),
    ),
    tolerance: Type.Optional(
      doc(
        Type.String({ pattern: TOLERANCE_PATTERN, [ERROR_MESSAGE]: 'is not a percentage (write e.g. 10%)' }),
        'How far the accepted rate may be from the limit, as a share of it.',
        '10%',
      ),
    ),
    rejectedWith: Type.Optional(
      doc(
        Type.Array(oneOf(StatusCode, constant('reset')), { minItems: 1 }),
        'How a rejection must look: HTTP statuses, and `reset` for a connection reset.',
        [429],
      ),
    ),
    rate: Type.Optional(
      doc(
        ref('rate', Rate),
        `The rate offered, instead of the default judgement's two phases (at most ${MAX_RATE_PER_SECOND}/s). ` +
          'Requests go out on schedule whatever the answers (open loop).',
      ),
    ),
    duration: Type.Optional(
      doc(ref('duration', Duration), 'How long each phase offers its rate (1s to 5m).', `${DEFAULT_PHASE_MS / 1000}s`),
    ),
    connections: Type.Optional(
      doc(
        Type.Integer({ minimum: 1, maximum: 4096 }),
        'Requests in flight at most (kept-alive connections); a request due while all are busy is not sent.',
        256,
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'Measures the rate a limiter accepts from a source to an HTTP target, against the limit expected.',
  },
);

/** A header or JSON field name an answer names its pod in. */
const IdentityName = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$',
  [ERROR_MESSAGE]: 'is not a header or field name (letters, digits, "-", "_", "."; at most 100)',
});

export const Affinity = Type.Object(
  {
    from: doc(
      ref('name', Name),
      'The source that sends, by name: a workload of the lab; each of its pods (or the sample) sends on its own.',
    ),
    to: doc(
      ref('name', Name),
      'The target, by name: an `http://` or `https://` target naming a Service, probed over one family.',
    ),
    requests: Type.Optional(
      doc(
        Type.Integer({ minimum: MIN_AFFINITY_REQUESTS, maximum: MAX_AFFINITY_REQUESTS }),
        'Requests each source pod sends, each on a new connection (the Service picks an endpoint per connection).',
        DEFAULT_AFFINITY_REQUESTS,
      ),
    ),
    sample: Type.Optional(
      doc(
        Type.Integer({ minimum: 1, maximum: MAX_AFFINITY_SOURCES }),
        "Send from at most this many of the source's pods, taken zone by zone in turn; without it, from every pod.",
      ),
    ),
    identity: Type.Optional(
      doc(
        oneOf(
          Type.Object(
            { header: doc(IdentityName, 'A response header that holds the pod name (`x-pod-name`).') },
            { additionalProperties: false },
          ),
          Type.Object(
            { jsonField: doc(IdentityName, 'A top-level field of a JSON body that holds the pod name (`pod`).') },
            { additionalProperties: false },
          ),
        ),
        'Where an answer names the pod that sent it: a response header, or a top-level field of a JSON body. ' +
          '`prober serve` and the time app (with POD_NAME) send `x-pod-name`.',
        { header: DEFAULT_IDENTITY_HEADER },
      ),
    ),
    expect: Type.Optional(
      doc(
        oneOf(
          Type.Object(
            {
              sameZone: doc(
                Type.String({ pattern: TOLERANCE_PATTERN, [ERROR_MESSAGE]: 'is not a percentage (write e.g. 95%)' }),
                "The least share of answers from the source pod's own zone while it has ready endpoints (`95%`).",
              ),
            },
            { additionalProperties: false },
          ),
          Type.Object(
            { spread: doc(Type.Literal(true), 'No affinity expected: every ready endpoint answers each source pod.') },
            { additionalProperties: false },
          ),
        ),
        'What the answers must show. Left out: the Kubernetes e2e rule (same-zone endpoints only while the ' +
          "zone has ready ones, each reached, 10 answers in a row; else every ready endpoint). `sameZone: 95%`: at least that share from the source's zone " +
          'while it has ready endpoints. `spread: true`: no affinity, every ready endpoint answers each source pod.',
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      "Checks that a Service's answers stay in each source pod's zone (trafficDistribution, hints, locality).",
  },
);

export const Check = Type.Object(
  {
    rateLimit: Type.Optional(doc(ref('rateLimit', RateLimit), 'A rate-limit check.')),
    affinity: Type.Optional(doc(ref('affinity', Affinity), 'A zone-affinity check.')),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    description: 'A check beyond the matrix: one of its kinds.',
  },
);
