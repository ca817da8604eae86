// Names the lab gives things on the host: the lab itself, and one network namespace per pod, which
// become file names under /run/netns and /etc/netns and must never name anything outside the lab.

import { nameProblem, quoteName } from '../model/k8s-names.ts';

/** Longest lab name: it prefixes every namespace and must leave room for the pods' names. */
const LAB_NAME_MAX = 32;

/**
 * Longest network namespace name the lab makes. The kernel allows 255 bytes per file name; the lab
 * stays well below so names remain readable in `ip netns` and a log's name (`<netns>.<container>.log`)
 * still fits.
 */
export const NETNS_MAX = 120;

/** Why `lab` is not a usable lab name, or undefined: a DNS-1123 label of at most 32 characters. */
export function labNameProblem(lab: unknown): string | undefined {
  if (typeof lab === 'string' && lab.length > LAB_NAME_MAX) return `must be no more than ${LAB_NAME_MAX} characters`;
  return nameProblem('dns1123-label', lab);
}

/** Throws unless `lab` is a usable lab name (it becomes a directory name and every namespace's prefix). */
export function checkLabName(lab: string): void {
  const problem = labNameProblem(lab);
  if (problem) throw new Error(`${quoteName(lab)} is not a lab name: ${problem}`);
}

/** The node namespace of a lab: it holds the bridge. */
export function nodeNetnsName(lab: string): string {
  return `${lab}-node`;
}

/**
 * A pod's network namespace name: the lab, the namespace and the pod, readable in `ip netns`. The
 * parts are valid Kubernetes names (checked at load); a name longer than {@link NETNS_MAX} keeps its
 * start and ends in a hash of the whole, so it stays unique.
 */
export function netnsName(lab: string, namespace: string, pod: string): string {
  const full = `${lab}-${namespace}-${pod}`;
  if (full.length <= NETNS_MAX) return full;
  // node:crypto loaded here, not imported: `lab --name`'s check loads this module for every command.
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256').update(full).digest('hex').slice(0, 10);
  return `${full.slice(0, NETNS_MAX - hash.length - 1)}-${hash}`;
}

/**
 * True when `name` can be one of `lab`'s network namespaces: a single plain file name (no `/`, no
 * `..`) that starts with the lab's prefix. Names read back from a state file are checked with it
 * before they reach `ip netns` or a path under /etc/netns.
 */
export function isLabNetns(lab: string, name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length <= NETNS_MAX &&
    name.startsWith(`${lab}-`) &&
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) &&
    !name.includes('..')
  );
}

/**
 * True when two labs' namespace names can mix: one lab's name followed by `-` starts the other's
 * (`prober` and `prober-lab`), so a name such as `prober-lab-x` could belong to either.
 */
export function labsOverlap(a: string, b: string): boolean {
  return a !== b && (a.startsWith(`${b}-`) || b.startsWith(`${a}-`));
}
