// The JSON Schemas of prober's inputs, written once in TypeBox: the validators, the published
// .schema.json files and the types of what passed validation all come from here.

import { type Static, Type } from 'typebox';
import { constant, ERROR_MESSAGE, mapOf, oneOf, ref } from '../model/json-schema.ts';
import { DURATION_EXAMPLES, DURATION_PATTERN } from '../model/duration.ts';
import { LabProfileSchema } from '../model/lab-profile-schema.ts';
import { Attempts, Concurrency, ProbePlanSchema, StatusClass, StatusCode } from '../model/plan-schema.ts';

/** The ProbePlan schema (defined in model/, where the plan's type is). */
export const planSchema = ProbePlanSchema;

const NAME_WORDING = 'is not a valid name (letters, digits, "-", "_", "."; at most 63)';

/** A source, target or test name. */
const Name = Type.String({ pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', [ERROR_MESSAGE]: NAME_WORDING });

/** A name or a wildcard pattern (`*`, `web-?`) in a rule's `from`/`to`. */
const NamePattern = Type.String({ pattern: '^[-A-Za-z0-9_.*?]{1,63}$', [ERROR_MESSAGE]: NAME_WORDING });

const Labels = mapOf(Type.String());

/** A duration as kubectl writes it (Go syntax); its range is checked when it is parsed (model/duration.ts). */
const Duration = Type.String({
  pattern: DURATION_PATTERN,
  [ERROR_MESSAGE]: `is not a duration (${DURATION_EXAMPLES})`,
});

/**
 * A settle window: a duration, or 0 to turn it off (YAML reads a bare `0` as a number, `"0"` as text);
 * its range is checked when it is parsed.
 */
const Settle = oneOf(
  Type.Unsafe<0>({ const: 0 }),
  Type.String({
    pattern: DURATION_PATTERN,
    [ERROR_MESSAGE]: 'is not a settle window (write e.g. 200ms, or 0 to turn it off)',
  }),
);

const Status = oneOf(StatusCode, StatusClass);

/** One status or a list of them (a test file may write `expectStatus: 200`). */
const StatusSet = oneOf(ref('status', Status), Type.Array(ref('status', Status), { minItems: 1 }));

const Source = Type.Object(
  {
    namespace: Type.Optional(
      Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', [ERROR_MESSAGE]: NAME_WORDING }),
    ),
    selector: Type.Optional(ref('labels', Labels)),
    local: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Target = Type.Object(
  {
    url: Type.String({ minLength: 1 }),
    expectStatus: Type.Optional(ref('statusSet', StatusSet)),
    denyStatus: Type.Optional(ref('statusSet', StatusSet)),
    timeout: Type.Optional(ref('duration', Duration)),
    settle: Type.Optional(ref('settle', Settle)),
    liveness: Type.Optional(Type.Enum(['auto', 'none'])),
    family: Type.Optional(Type.Enum(['ipv4', 'ipv6', 'both'])),
    payload: Type.Optional(Type.String()),
    payloadHex: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Rule = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1 })),
    from: ref('pattern', NamePattern),
    to: ref('pattern', NamePattern),
    verdict: Type.Enum(['allow', 'deny']),
  },
  { additionalProperties: false },
);

const Paths = (minItems?: number) =>
  Type.Array(Type.String({ minLength: 1 }), minItems === undefined ? {} : { minItems });

/** The ReachabilityTest schema (its durations are strings; their range is checked when they are parsed). */
export const testSchema = Type.Object(
  {
    apiVersion: constant('prober/v1alpha1'),
    kind: constant('ReachabilityTest'),
    metadata: Type.Object(
      {
        name: ref('name', Name),
        labels: Type.Optional(ref('labels', Labels)),
        annotations: Type.Optional(ref('labels', Labels)),
      },
      { additionalProperties: false },
    ),
    spec: Type.Object(
      {
        defaults: Type.Optional(
          Type.Object(
            {
              timeout: Type.Optional(ref('duration', Duration)),
              settle: Type.Optional(ref('settle', Settle)),
              attempts: Type.Optional(Attempts),
              concurrency: Type.Optional(Concurrency),
            },
            { additionalProperties: false },
          ),
        ),
        sources: mapOf(ref('source', Source), { minProperties: 1, propertyNames: ref('name', Name) }),
        targets: mapOf(ref('target', Target), { minProperties: 1, propertyNames: ref('name', Name) }),
        expect: oneOf(constant('fromPolicies'), Type.Array(ref('rule', Rule), { minItems: 1 })),
        fromPolicies: Type.Optional(
          Type.Object({ policies: Paths(1), workloads: Type.Optional(Paths()) }, { additionalProperties: false }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://prober.dev/schemas/reachability-test.json',
    title: 'ReachabilityTest',
    additionalProperties: false,
    definitions: {
      name: Name,
      pattern: NamePattern,
      labels: Labels,
      duration: Duration,
      settle: Settle,
      status: Status,
      statusSet: StatusSet,
      source: Source,
      target: Target,
      rule: Rule,
    },
  },
);

/** A ReachabilityTest document as the schema admits it, before the checks a schema cannot express. */
export type TestDocument = Static<typeof testSchema>;

/** The LabProfile schema (defined in model/, where the profile's types are). */
export const profileSchema = LabProfileSchema;

/** The published schema files, generated from the schemas above by `npm run schemas`. */
export const SCHEMA_FILES: readonly { readonly path: string; readonly schema: object }[] = [
  { path: 'src/config/reachability-test.schema.json', schema: testSchema },
  { path: 'src/config/probe-plan.schema.json', schema: planSchema },
  { path: 'src/config/lab-profile.schema.json', schema: profileSchema },
];

/** A schema as its published file holds it: what it is first (`$schema`, `$id`, `title`), then the rest. */
export function schemaFileText(schema: object): string {
  const { $schema, $id, title, ...rest } = schema as Record<string, unknown>;
  return `${JSON.stringify({ $schema, $id, title, ...rest }, null, 2)}\n`;
}
