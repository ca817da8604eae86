// The JSON Schemas of prober's inputs, written once in TypeBox: the validators, the published
// .schema.json files and the types of what passed validation all come from here.

import { type Static, Type } from 'typebox';
import { constant, ERROR_MESSAGE, mapOf, oneOf, ref } from '../model/json-schema.ts';
import { LabProfileSchema } from '../model/lab-profile-schema.ts';
import { Attempts, Concurrency, ProbePlanSchema } from '../model/plan-schema.ts';
import { DEFAULTS } from '../model/test-spec.ts';
import { Affinity, Check, Rate, RateLimit } from './check-schemas.ts';
import { Duration, doc, Labels, NAME_WORDING, Name, NamePattern, Settle, Status, StatusSet } from './schema-parts.ts';

/** The ProbePlan schema (defined in model/, where the plan's type is). */
export const planSchema = ProbePlanSchema;

const Source = Type.Object(
  {
    namespace: Type.Optional(
      doc(
        Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', [ERROR_MESSAGE]: NAME_WORDING }),
        'The namespace of the source workload (`run`, `lab test`).',
      ),
    ),
    selector: Type.Optional(
      doc(ref('labels', Labels), "Labels of the source workload's pods; a Ready pod they select probes."),
    ),
    local: Type.Optional(
      doc(Type.Boolean(), 'Probe from where prober runs (`check`, `probe`), instead of from a workload.', false),
    ),
  },
  { additionalProperties: false, description: 'Who probes: a workload (namespace and labels), or `local: true`.' },
);

const Target = Type.Object(
  {
    url: doc(
      Type.String({ minLength: 1 }),
      'What is probed: `tcp://host:port`, `udp://host:port`, `http(s)://host[:port]/path`, `redis://host[:port]`, ' +
        '`dns://name[?server=IP[:PORT]&over=udp|tcp&type=A|AAAA]`, or `svc/NAME.NS:PORT` for a Service.',
    ),
    expectStatus: Type.Optional(
      doc(
        ref('statusSet', StatusSet),
        'HTTP statuses that are an allow: a status, a class (`"2xx"`) or a list of them. Default: any 2xx or 3xx.',
      ),
    ),
    denyStatus: Type.Optional(
      doc(ref('statusSet', StatusSet), 'HTTP statuses that are an L7 deny, in the same forms.', [401, 403]),
    ),
    timeout: Type.Optional(
      doc(ref('duration', Duration), "This target's probe timeout. Default: `spec.defaults.timeout`."),
    ),
    settle: Type.Optional(
      doc(
        ref('settle', Settle),
        "This `tcp://` target's settle window (only on `tcp://`). Default: `spec.defaults.settle`.",
      ),
    ),
    liveness: Type.Optional(
      doc(
        Type.Enum(['auto', 'none']),
        '`auto`: a deny counts only when the target is proven alive in the same run, else the cell is ' +
          '`error/target-down`. `none`: trust a deny as seen (a target nobody may reach).',
        'auto',
      ),
    ),
    family: Type.Optional(
      doc(
        Type.Enum(['ipv4', 'ipv6', 'both']),
        'Probe over one IP family, or over each (a column per family). Default: the addresses in the order a ' +
          'client tries them (happy eyeballs). On `dns://`: the record asked for (A, AAAA).',
      ),
    ),
    payload: Type.Optional(
      doc(Type.String(), 'The datagram a `udp://` probe sends, as UTF-8 text (at most 1,200 bytes).'),
    ),
    payloadHex: Type.Optional(
      doc(
        Type.String(),
        'The datagram a `udp://` probe sends, as hex bytes (spaces allowed between bytes; at most 1,200 bytes). ' +
          'Default: 512 bytes starting `PROBER-UDP-PROBE v1`, which `prober serve` answers.',
      ),
    ),
  },
  { additionalProperties: false, description: 'What is probed, by URL, and how its answers are judged.' },
);

const Rule = Type.Object(
  {
    name: Type.Optional(doc(Type.String({ minLength: 1 }), 'A label for the cell in reports (`case 2`).')),
    from: doc(
      ref('pattern', NamePattern),
      'A source name, a glob (`*` any characters, `?` one: `web-?`) or `*`. The more specific rule wins (name > glob > `*`).',
    ),
    to: doc(ref('pattern', NamePattern), 'A target name, a glob or `*`, as `from`.'),
    verdict: doc(Type.Enum(['allow', 'deny']), 'What the cells the rule names must show.'),
  },
  { additionalProperties: false, description: 'An expectation: the cells from `from` to `to` must show `verdict`.' },
);

const Paths = (description: string, minItems?: number) =>
  Type.Array(Type.String({ minLength: 1 }), { description, ...(minItems === undefined ? {} : { minItems }) });

/** The ReachabilityTest schema (its durations are strings; their range is checked when they are parsed). */
export const testSchema = Type.Object(
  {
    apiVersion: doc(constant('prober/v1alpha1'), 'The version of the format.'),
    kind: doc(constant('ReachabilityTest'), 'What the file is (a file of another kind is refused, naming its kind).'),
    metadata: Type.Object(
      {
        name: doc(ref('name', Name), "The test's name, shown in reports."),
        labels: Type.Optional(doc(ref('labels', Labels), 'Free labels.')),
        annotations: Type.Optional(doc(ref('labels', Labels), 'Free annotations.')),
      },
      { additionalProperties: false, description: "The test's name and labels." },
    ),
    spec: Type.Object(
      {
        defaults: Type.Optional(
          Type.Object(
            {
              timeout: Type.Optional(
                doc(ref('duration', Duration), 'The timeout of each attempt of a probe (1ms to 10m).', '2s'),
              ),
              settle: Type.Optional(
                doc(
                  ref('settle', Settle),
                  'How long a `tcp://` probe watches a new connection for a FIN or RST before calling it an ' +
                    'allow; `0` turns it off. Shorter than the timeout, at most 5s.',
                  '200ms',
                ),
              ),
              attempts: Type.Optional(
                doc(Attempts, 'How often a cell is tried while it disagrees with its expectation.', DEFAULTS.attempts),
              ),
              concurrency: Type.Optional(doc(Concurrency, 'Probes in flight per source.', DEFAULTS.concurrency)),
            },
            { additionalProperties: false, description: 'Defaults for every probe of the test.' },
          ),
        ),
        sources: doc(
          mapOf(ref('source', Source), { minProperties: 1, propertyNames: ref('name', Name) }),
          'Who probes, by name.',
        ),
        targets: doc(
          mapOf(ref('target', Target), { minProperties: 1, propertyNames: ref('name', Name) }),
          'What is probed, by name.',
        ),
        expect: doc(
          oneOf(constant('fromPolicies'), Type.Array(ref('rule', Rule), { minItems: 1 })),
          'The expectation rules, or the word `fromPolicies`: judge against the policy model instead. ' +
            'A cell no rule names is unchecked.',
        ),
        checks: Type.Optional(
          doc(
            mapOf(ref('check', Check), { minProperties: 1, propertyNames: ref('name', Name) }),
            'Checks beyond the matrix, by name (a rate limit, a zone affinity), each judged and gated like a cell.',
          ),
        ),
        fromPolicies: Type.Optional(
          Type.Object(
            {
              policies: Paths('Policy files or directories, relative to the test file.', 1),
              workloads: Type.Optional(Paths('Workload manifests (files or directories), relative to the test file.')),
            },
            {
              additionalProperties: false,
              description: 'The policy model as a third opinion beside the observed matrix and the written rules.',
            },
          ),
        ),
      },
      { additionalProperties: false, description: 'The sources, targets and expectations.' },
    ),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://prober.dev/schemas/reachability-test.json',
    title: 'ReachabilityTest',
    additionalProperties: false,
    definitions: {
      name: doc(Name, 'A source, target or test name: letters, digits, `-`, `_`, `.`; at most 63.'),
      pattern: doc(NamePattern, 'A name, or a glob of names: `*` any characters, `?` one character.'),
      labels: doc(Labels, 'Label keys to values, as in `metadata.labels`.'),
      duration: doc(Duration, 'A number with a unit: `500ms`, `2s`, `1m` (a bare number is refused).'),
      settle: doc(Settle, 'A duration, or `0` to turn the settle window off.'),
      status: doc(Status, 'An HTTP status (`403`) or a class of them (`"4xx"`).'),
      statusSet: doc(StatusSet, 'One status or a list of them.'),
      source: Source,
      target: Target,
      rule: Rule,
      rate: doc(Rate, 'Requests per second (`10/s`) or per minute (`600/m`).'),
      rateLimit: RateLimit,
      affinity: Affinity,
      check: Check,
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
