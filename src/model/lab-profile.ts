// A lab profile: what belongs to one lab rather than to the lab tool — its program choices and its demo story.
//
// The document's shape is its schema's (lab-profile-schema.ts). Program choices and checks are used
// as written; the story and the profile itself are what the loader resolves them to, so their types
// are spelled out here: a story always says who requires it, a profile is named, anchored and flat.

import type { Frozen } from './json-schema.ts';
import type {
  DemoCheckDocument,
  DemoStoryDocument,
  PROGRAM_KINDS,
  ProgramChoiceDocument,
} from './lab-profile-schema.ts';

/** One of PROGRAM_KINDS. */
export type ProgramKind = (typeof PROGRAM_KINDS)[number];

/** What a demo check must show: a 2xx answer ("works") or anything else ("error"). */
export type CheckState = NonNullable<DemoCheckDocument['before']>;

/**
 * A lab's choice of program for an image the lab tool does not know by its name. The image is a
 * repository without tag or digest: with a `/` it must equal the container image's repository
 * (`ghcr.io/prober-dev/time-app`); without, its last path segment (`time-app`). As written.
 */
export type ProgramChoice = Frozen<ProgramChoiceDocument>;

/**
 * One request of the demo, sent as `http://<host><path>` from a pod of the demo's namespace. `name`
 * names it in the verdict ("case 1"), a check without one is a step (e.g. setting data up);
 * `before`/`after` say what it must show with no policy and once the demo's policies are applied,
 * unchecked when absent. As written.
 */
export type DemoCheck = Frozen<DemoCheckDocument>;

/**
 * The demo's story: where its checks run from (`from`, the namespace whose first pod sends them),
 * what they call (`host`, an Ingress host of the lab or a Service name), what they must show, the
 * policies applied halfway and the ReachabilityTest run before and after. Unlike the document,
 * `requiredBy` is always there (the loader's default), and `policies` and `test` are anchored as
 * LabProfile says.
 */
export type DemoStory = Frozen<Omit<DemoStoryDocument, 'requiredBy'>> & {
  /** Who states the requirement, as printed: "The seed's checks …", "… as the seed requires." */
  readonly requiredBy: string;
};

/**
 * A loaded lab profile. Its paths are written relative to the profile's directory; once loaded they
 * are relative to the working directory when they lie inside it, absolute otherwise.
 */
export interface LabProfile {
  readonly file: string;
  readonly name: string;
  /** Manifest files or directories of the lab. */
  readonly manifests?: readonly string[];
  readonly programs: readonly ProgramChoice[];
  readonly demo?: DemoStory;
}

/** The most a profile file may hold: a profile is a page of YAML, never megabytes. */
export const MAX_PROFILE_BYTES = 1024 * 1024;
