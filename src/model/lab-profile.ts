// A lab profile: what belongs to one lab rather than to the lab tool — its program choices and its demo story.

/** The programs the lab can run for a container (what stands in for its image). */
export const PROGRAM_KINDS = ['redis', 'apache', 'webdis', 'time-app', 'synthetic'] as const;

/** One of PROGRAM_KINDS. */
export type ProgramKind = (typeof PROGRAM_KINDS)[number];

/** What a demo check must show: a 2xx answer ("works") or anything else ("error"). */
export type CheckState = 'works' | 'error';

/** A lab's choice of program for an image the lab tool does not know by its name. */
export interface ProgramChoice {
  /**
   * An image repository without tag or digest. With a `/` it must equal the container image's
   * repository (`ghcr.io/prober-dev/time-app`); without, its last path segment (`time-app`).
   */
  readonly image: string;
  readonly program: ProgramKind;
}

/** One request of the demo, sent as `http://<host><path>` from a pod of the demo's namespace. */
export interface DemoCheck {
  /** Names the check in the verdict ("case 1"); a check without a name is a step (e.g. setting data up). */
  readonly name?: string;
  readonly path: string;
  readonly label: string;
  /** What the check must show with no policy applied; unchecked when absent. */
  readonly before?: CheckState;
  /** What the check must show once the demo's policies are applied; unchecked when absent. */
  readonly after?: CheckState;
}

/** The demo's story: where its checks run from, what they call, what they must show. */
export interface DemoStory {
  /** Who states the requirement, as printed: "The seed's checks …", "… as the seed requires." */
  readonly requiredBy: string;
  /** Namespace whose first pod sends the checks. */
  readonly from: string;
  /** Host name the checks call (an Ingress host of the lab, or a Service name). */
  readonly host: string;
  readonly checks: readonly DemoCheck[];
  /** Policy files or directories applied halfway (see LabProfile for how paths are anchored). */
  readonly policies?: readonly string[];
  /** The ReachabilityTest run before and after. */
  readonly test?: string;
}

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
