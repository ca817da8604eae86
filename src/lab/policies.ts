// `lab apply` / `lab reset`: the policy model of the lab's own pods, compiled to nftables in every pod.

import { loadManifests } from '../config/load-manifests.ts';
import type { InputIo } from '../model/io.ts';
import { buildModel, type Model } from '../policy/index.ts';
import { clusterDnsModel } from './cluster-dns.ts';
import { compileFirewall, type PodFirewall, RESET_RULESET } from './firewall.ts';
import { loadNft } from './netns.ts';
import { reconfigureSidecars, refuseUnmodelledLimits } from './sidecars.ts';
import { applySnat, snatPods } from './snat.ts';
import { type LabState, readState, writeState } from './state.ts';
import type { LabPod } from './topology-types.ts';
import { describeUnenforced, ENFORCE_ALL, enforcedPolicies, type Unenforced } from './unenforced.ts';

/** What a lab's model is built from: its manifests' cluster and the policies applied on top, loaded once. */
interface LabInputs {
  readonly cluster: Awaited<ReturnType<typeof loadManifests>>['cluster'];
  readonly applied: Awaited<ReturnType<typeof loadManifests>>['cluster']['policies'];
}

/** Loads the lab's manifests and the policies in `policyPaths` (none: nothing applied). */
async function loadLabInputs(
  state: Pick<LabState, 'manifests'>,
  policyPaths: readonly string[],
  io: InputIo,
): Promise<LabInputs> {
  const cluster = (await loadManifests(state.manifests, io)).cluster;
  const applied = policyPaths.length > 0 ? (await loadManifests(policyPaths, io)).cluster.policies : [];
  return { cluster, applied };
}

/**
 * The policy model of a running lab from its loaded inputs: the workloads with the lab pods' addresses,
 * its node, and every policy but those of a kind `unenforced` names; with `assumeMesh`, every workload
 * but the cluster DNS has a sidecar (as `simulate --assume-mesh` assumes).
 */
function modelOf(
  state: Pick<LabState, 'topology' | 'assumeMesh'>,
  { cluster, applied }: LabInputs,
  unenforced: Unenforced = ENFORCE_ALL,
): Model {
  const workloads = cluster.workloads.map((w) => {
    const ips = state.topology.pods.filter((p) => p.workload === `${w.namespace}/${w.name}`).flatMap((p) => p.ips);
    return ips.length > 0 ? { ...w, ips } : w;
  });
  // The lab's own cluster DNS is part of the cluster the policies govern (kube-system/kube-dns).
  const dns = clusterDnsModel(state.topology);
  const declared = new Set(cluster.namespaces.map((n) => n.name));
  return buildModel(
    {
      namespaces: [...cluster.namespaces, ...dns.namespaces.filter((n) => !declared.has(n.name))],
      workloads: [...workloads, ...dns.workloads],
      services: [...cluster.services, ...dns.services],
      policies: [...enforcedPolicies(cluster.policies, unenforced), ...enforcedPolicies(applied, unenforced)],
      // The lab's one node: its addresses are what a hostNetwork pod listens on (and `nodes` peers select).
      nodes: [
        { name: state.topology.nodeNetns, labels: {}, addresses: [state.topology.nodeIp, state.topology.nodeIp6] },
      ],
    },
    state.assumeMesh ? { assumeMesh: true } : {},
  );
}

/**
 * The policy model of a running lab: its manifests' workloads with the lab pods' addresses, its node,
 * and the policies in `policyPaths` (none: nothing isolated).
 */
export async function labModel(
  state: Pick<LabState, 'manifests' | 'topology' | 'assumeMesh'>,
  policyPaths: readonly string[],
  io: InputIo,
): Promise<Model> {
  return modelOf(state, await loadLabInputs(state, policyPaths, io));
}

/** A command that needs a running lab found none of that name: the message says how to start it. */
export class LabNotUpError extends Error {}

/** Reads a lab's state (below `root`) or explains how to start it. */
export async function requireState(lab: string, root: string): Promise<LabState> {
  const state = await readState(root, lab);
  if (!state) throw new LabNotUpError(`lab "${lab}" is not up (start it with \`prober lab up --name ${lab}\`)`);
  return state;
}

/**
 * Applies a policy set: replaces every pod's rules atomically with what the model decides, and
 * restarts every sidecar with the mesh verdicts (AuthorizationPolicy, PeerAuthentication) of the
 * same model. `env` gives the sidecars their PATH; `assumeMesh` puts every workload in the mesh
 * (the lab's manifests need not label namespaces for injection); `unenforced` leaves kinds, protocols or
 * every L3/L4 policy out of the nftables rules, as a CNI without them would, while `lab test`'s model
 * keeps them all.
 */
export async function labApply(
  lab: string,
  policyPaths: readonly string[],
  root: string,
  io: InputIo,
  env: NodeJS.ProcessEnv = {},
  options: { readonly assumeMesh?: boolean; readonly unenforced?: Unenforced; readonly snat?: readonly string[] } = {},
): Promise<{ state: LabState; firewalls: PodFirewall[] }> {
  const { assumeMesh: _, unenforced: _was, snat: snatBefore, ...current } = await requireState(lab, root);
  const snat = snatPods(current.topology, options.snat ?? []);
  if (typeof snat === 'string') throw new Error(snat);
  const state: LabState = options.assumeMesh ? { ...current, assumeMesh: true } : current;
  const inputs = await loadLabInputs(state, policyPaths, io);
  const model = modelOf(state, inputs);
  refuseUnmodelledLimits(state.topology, model);
  // Sidecars first: the policy set may put pods in the mesh (or out of it), which the firewall must know.
  const programs = await reconfigureSidecars(state, model, root, env);
  const unenforced = options.unenforced ?? ENFORCE_ALL;
  const enforced = unenforced.kinds.length > 0 ? modelOf(state, inputs, unenforced) : model;
  const firewalls = unenforced.all
    ? []
    : compileFirewall(state.topology, enforced, meshedNetns(programs), unenforced.protocols);
  if (unenforced.all) for (const pod of state.topology.pods) await loadNft(pod.netns, RESET_RULESET);
  for (const fw of firewalls) await loadNft(fw.netns, `${RESET_RULESET}${fw.ruleset}`);
  // Nothing to undo or to set: no table to touch in the node's namespace.
  if (snat.length > 0 || (snatBefore?.length ?? 0) > 0)
    await applySnat(state.topology, podsOf(state, snatBefore), snat);
  const left = describeUnenforced(unenforced) ? { unenforced } : {};
  const masqueraded = snat.length > 0 ? { snat: [...(options.snat ?? [])] } : {};
  const next = { ...state, programs, policies: [...policyPaths], ...left, ...masqueraded };
  await writeState(root, next);
  return { state: next, firewalls };
}

/** The pods of workloads a state recorded (names it no longer has are skipped). */
function podsOf(state: Pick<LabState, 'topology'>, workloads: readonly string[] | undefined): LabPod[] {
  return state.topology.pods.filter((p) => workloads?.includes(p.workload));
}

/** The namespaces of the pods that run a sidecar. */
const meshedNetns = (programs: LabState['programs']): Set<string> =>
  new Set(programs.filter((p) => p.kind === 'sidecar').map((p) => p.netns));

/** Removes every policy rule: everything is allowed again, sidecars included. */
export async function labReset(lab: string, root: string, io: InputIo, env: NodeJS.ProcessEnv = {}): Promise<LabState> {
  const { assumeMesh: _, unenforced: _was, snat, ...state } = await requireState(lab, root);
  if (snat) await applySnat(state.topology, podsOf(state, snat), []);
  for (const pod of state.topology.pods) await loadNft(pod.netns, RESET_RULESET);
  const programs = await reconfigureSidecars(state, await labModel(state, [], io), root, env, { open: true });
  const next = { ...state, programs, policies: [] };
  await writeState(root, next);
  return next;
}
