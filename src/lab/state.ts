// The lab's state on disk: what `lab up` created, so `lab down` can remove exactly that, even after a crash.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteName } from '../model/k8s-names.ts';
import { mkdirIn, readFileIn, removeIn, renameIn, writeFileIn } from './confine.ts';
import { checkLabName, isLabNetns, labNameProblem } from './names.ts';
import type { RunningProgram } from './supervisor.ts';
import type { LabTopology } from './topology-types.ts';
import type { Unenforced } from './unenforced.ts';

/** Where every lab keeps its files (one directory per lab name) unless $PROBER_LAB_DIR names another. */
export const DEFAULT_LAB_ROOT = '/run/prober-lab';

/** The directory every lab keeps its files in: `$PROBER_LAB_DIR` of `env`, else DEFAULT_LAB_ROOT. */
export function labRoot(env: NodeJS.ProcessEnv): string {
  return env.PROBER_LAB_DIR ?? DEFAULT_LAB_ROOT;
}

/** What a lab consists of right now. */
export interface LabState {
  readonly lab: string;
  readonly createdAt: string;
  readonly manifests: readonly string[];
  readonly topology: LabTopology;
  readonly programs: readonly RunningProgram[];
  /** Policy files applied with `lab apply` (empty: no policy, everything allowed). */
  readonly policies: readonly string[];
  /** Set by `lab apply --assume-mesh`: every workload but the cluster DNS runs a sidecar. */
  readonly assumeMesh?: boolean;
  /** Set by `lab apply --unenforced`: what the lab's CNI leaves out of its rules (the model keeps it). */
  readonly unenforced?: Unenforced;
  /** Set by `lab apply --snat`: workloads (`namespace/name`) whose traffic to pods the node masquerades. */
  readonly snat?: readonly string[];
  /** Pods stopped with `lab stop` (`namespace/name`): not ready, no Service sends them traffic. */
  readonly stopped?: readonly string[];
}

/** The run directory of a lab below `root`; the name is checked first, so it can never point elsewhere. */
export function labDir(root: string, lab: string): string {
  checkLabName(lab);
  return join(root, lab);
}

/** The names of the labs that have a run directory below `root` on this host. */
export async function labsOnHost(root: string): Promise<string[]> {
  return (await readdir(root).catch(() => [] as string[])).filter((name) => labNameProblem(name) === undefined);
}

/**
 * The Unix socket of the resident agent in one of the lab's namespaces (the node, or a pod by its
 * index in the topology). Kept short: socket paths are limited to 107 bytes.
 */
export function agentSocket(root: string, topology: LabTopology, netns: string): string {
  const index = topology.pods.findIndex((p) => p.netns === netns);
  return join(labDir(root, topology.lab), 'agents', `${index < 0 ? 'node' : index}.sock`);
}

/** Why a state file cannot be the state of `lab`, or undefined when every name in it is the lab's own. */
function stateProblem(lab: string, state: LabState): string | undefined {
  if (state?.lab !== lab) return `it names lab ${quoteName(state?.lab)}`;
  const netns = [
    state.topology?.nodeNetns,
    ...(state.topology?.pods ?? []).map((p) => p.netns),
    ...(state.programs ?? []).map((p) => p.netns),
  ];
  const foreign = netns.find((name) => !isLabNetns(lab, name));
  if (foreign !== undefined) return `network namespace ${quoteName(foreign)} is not one of the lab's`;
  const pid = (state.programs ?? []).find((p) => !Number.isInteger(p.pid) || p.pid <= 1);
  if (pid) return `pid ${quoteName(pid.pid)} is not a process id`;
  return undefined;
}

/**
 * Reads the state, or undefined when the lab is not up. A state file that names anything outside
 * the lab (another lab, a namespace without the lab's prefix, a path) is refused, not used.
 */
export async function readState(root: string, lab: string): Promise<LabState | undefined> {
  const file = join(labDir(root, lab), 'state.json');
  const text = await readFileIn(labDir(root, lab), file);
  if (text === undefined) return undefined;
  let state: LabState;
  try {
    state = JSON.parse(text) as LabState;
  } catch (cause) {
    throw new Error(`${file} is not valid JSON`, { cause });
  }
  const problem = stateProblem(lab, state);
  if (problem) throw new Error(`${file} is not the state of lab ${lab}: ${problem}`);
  return state;
}

/** Writes the state atomically (a crash never leaves half a file), inside the lab's own directory. */
export async function writeState(root: string, state: LabState): Promise<void> {
  const dir = labDir(root, state.lab);
  await mkdirIn(root, dir);
  const temp = join(dir, 'state.json.tmp');
  await writeFileIn(dir, temp, `${JSON.stringify(state, null, 2)}\n`);
  await renameIn(dir, temp, join(dir, 'state.json'));
}

/** Removes the lab's run directory (symlinks in it are removed, never followed). */
export async function removeLabDir(root: string, lab: string): Promise<void> {
  await removeIn(root, labDir(root, lab));
}
