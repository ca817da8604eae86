// The LabProfile's JSON Schema in TypeBox: the one source of the profile document's type and its validator.
//
// The validator (config/validators.ts) and `npm run schemas`, which writes
// src/config/lab-profile.schema.json, read the schema; model/lab-profile.ts takes its types from here.
// No pattern here carries an ERROR_MESSAGE: a profile's messages are the ones it always had.

import { type Static, Type } from 'typebox';
import { constant, mapOf, ref } from './json-schema.ts';

/** The programs the lab can run for a container (what stands in for its image). */
export const PROGRAM_KINDS = ['redis', 'apache', 'webdis', 'time-app', 'synthetic'] as const;

const Labels = mapOf(Type.String());

/** Files or directories, relative to the profile's directory. */
const Paths = Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 100 });

/** What a demo check must show: a 2xx answer ("works") or anything else ("error"). */
const CheckState = Type.Enum(['works', 'error']);

/**
 * A lab's choice of program for an image the lab tool does not know by its name. The image is a
 * repository without tag or digest (checked by the loader): with a `/` it must equal the container
 * image's repository (`ghcr.io/prober-dev/time-app`); without, its last path segment (`time-app`).
 */
const ProgramChoice = Type.Object(
  {
    image: Type.String({ minLength: 1, maxLength: 255 }),
    program: Type.Enum(PROGRAM_KINDS),
  },
  { additionalProperties: false },
);

/**
 * One request of the demo, sent as `http://<host><path>` from a pod of the demo's namespace. A check
 * without a `name` is a step (e.g. setting data up); `before`/`after` say what it must show with no
 * policy applied and once the demo's policies are, unchecked when absent.
 */
const DemoCheck = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    path: Type.String({ minLength: 1, maxLength: 2048 }),
    label: Type.String({ maxLength: 100 }),
    before: Type.Optional(CheckState),
    after: Type.Optional(CheckState),
  },
  { additionalProperties: false },
);

/**
 * The demo's story as written: who states the requirement (`requiredBy`, as printed: "The seed's
 * checks …"), the namespace whose first pod sends the checks (`from`), the host they call, the
 * policies applied halfway and the ReachabilityTest run before and after.
 */
const DemoStory = Type.Object(
  {
    requiredBy: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.String({ minLength: 1, maxLength: 63 }),
    host: Type.String({ minLength: 1, maxLength: 253 }),
    policies: Type.Optional(ref('paths', Paths)),
    test: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    checks: Type.Array(DemoCheck, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

/** The LabProfile schema: a lab's program choices and demo story (`prober lab … --profile`). */
export const LabProfileSchema = Type.Object(
  {
    apiVersion: constant('prober/v1alpha1'),
    kind: constant('LabProfile'),
    metadata: Type.Object(
      {
        name: Type.String({ pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$' }),
        labels: Type.Optional(ref('labels', Labels)),
        annotations: Type.Optional(ref('labels', Labels)),
      },
      { additionalProperties: false },
    ),
    spec: Type.Object(
      {
        manifests: Type.Optional(ref('paths', Paths)),
        programs: Type.Optional(Type.Array(ProgramChoice, { maxItems: 1000 })),
        demo: Type.Optional(DemoStory),
      },
      { additionalProperties: false },
    ),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://prober.dev/schemas/lab-profile.json',
    title: 'LabProfile',
    additionalProperties: false,
    definitions: { labels: Labels, paths: Paths },
  },
);

/** A lab profile as the schema admits it, before the loader's checks and defaults (model/lab-profile.ts). */
export type LabProfileDocument = Static<typeof LabProfileSchema>;

/** A program choice as the schema admits it. */
export type ProgramChoiceDocument = Static<typeof ProgramChoice>;

/** A demo check as the schema admits it. */
export type DemoCheckDocument = Static<typeof DemoCheck>;

/** A demo story as the schema admits it: `requiredBy` may be absent, paths are as written. */
export type DemoStoryDocument = Static<typeof DemoStory>;
