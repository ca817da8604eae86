// What a lab command works on: the manifests, and the lab profile (program choices, demo story) if one is given.

import { ConfigError } from '../config/config-error.ts';
import { loadLabProfile } from '../config/load-lab-profile.ts';
import type { InputIo } from '../model/io.ts';
import type { DemoStory, LabProfile, ProgramChoice } from '../model/lab-profile.ts';

/** The manifests of a lab and the program choices of its profile (none without a profile). */
export interface LabInputs {
  readonly manifests: readonly string[];
  readonly programs: readonly ProgramChoice[];
  readonly profile?: LabProfile;
}

/**
 * Loads the profile at `profilePath` (if any) and picks the manifests: `-f` when given, else the
 * profile's. Without a profile the lab still stands up: images it does not know by name run
 * prober's synthetic target.
 */
export async function labInputs(
  manifests: readonly string[] | undefined,
  profilePath: string | undefined,
  io: InputIo,
): Promise<LabInputs> {
  const profile = profilePath === undefined ? undefined : await loadLabProfile(profilePath, io);
  const chosen = manifests ?? profile?.manifests;
  if (!chosen) {
    // Only reachable with a profile: the CLI names the profile whenever -f is missing.
    throw new ConfigError(
      profile?.file ?? '-f',
      undefined,
      'spec.manifests',
      'the profile names no manifests: add spec.manifests, or give them with -f',
    );
  }
  return { manifests: chosen, programs: profile?.programs ?? [], ...(profile ? { profile } : {}) };
}

/** What `lab demo` runs: a lab's inputs plus its story, with command-line values before the profile's. */
export interface DemoPlan extends LabInputs {
  readonly story: DemoStory;
  readonly policies: readonly string[];
  readonly test: string;
}

/** Values given on the command line, each replacing the profile's. */
export interface DemoOverrides {
  readonly manifests?: readonly string[];
  readonly policies?: readonly string[];
  readonly test?: string;
  readonly from?: string;
  readonly host?: string;
}

/** Loads the profile and resolves the demo; a profile without `spec.demo`, or missing a path, is a ConfigError. */
export async function demoPlan(profilePath: string, overrides: DemoOverrides, io: InputIo): Promise<DemoPlan> {
  const inputs = await labInputs(overrides.manifests, profilePath, io);
  const demo = inputs.profile?.demo;
  if (!demo)
    throw new ConfigError(
      profilePath,
      undefined,
      'spec.demo',
      'the profile has no demo: add spec.demo (its checks and what they must show)',
    );
  const policies = overrides.policies ?? demo.policies;
  if (!policies)
    throw new ConfigError(
      profilePath,
      undefined,
      'spec.demo.policies',
      'no policies to apply: add them, or give --policies',
    );
  const test = overrides.test ?? demo.test;
  if (!test) throw new ConfigError(profilePath, undefined, 'spec.demo.test', 'no test to run: add it, or give --test');
  const story: DemoStory = {
    ...demo,
    ...(overrides.from ? { from: overrides.from } : {}),
    ...(overrides.host ? { host: overrides.host } : {}),
  };
  return { ...inputs, story, policies, test };
}
