// The lab's state on disk: what `lab up` created, so `lab down` can remove exactly that, even after a crash.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningProgram } from './supervisor.ts';
import type { LabTopology } from './topology-types.ts';

/** Where every lab keeps its files: one directory per lab name. */
export const LAB_ROOT = process.env.PROBER_LAB_DIR ?? '/run/prober-lab';

/** What a lab consists of right now. */
export interface LabState {
  readonly lab: string;
  readonly createdAt: string;
  readonly manifests: readonly string[];
  readonly topology: LabTopology;
  readonly programs: readonly RunningProgram[];
  /** Policy files applied with `lab apply` (empty: no policy, everything allowed). */
  readonly policies: readonly string[];
}

/** The run directory of a lab. */
export function labDir(lab: string): string {
  return join(LAB_ROOT, lab);
}

/**
 * The Unix socket of the resident agent in one of the lab's namespaces (the node, or a pod by its
 * index in the topology). Kept short: socket paths are limited to 107 bytes.
 */
export function agentSocket(topology: LabTopology, netns: string): string {
  const index = topology.pods.findIndex((p) => p.netns === netns);
  return join(labDir(topology.lab), 'agents', `${index < 0 ? 'node' : index}.sock`);
}

/** Reads the state, or undefined when the lab is not up. */
export async function readState(lab: string): Promise<LabState | undefined> {
  const text = await readFile(join(labDir(lab), 'state.json'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as LabState);
}

/** Writes the state atomically (a crash never leaves half a file). */
export async function writeState(state: LabState): Promise<void> {
  const dir = labDir(state.lab);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, 'state.json.tmp');
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, join(dir, 'state.json'));
}

/** Removes the lab's run directory. */
export async function removeLabDir(lab: string): Promise<void> {
  await rm(labDir(lab), { recursive: true, force: true });
}
