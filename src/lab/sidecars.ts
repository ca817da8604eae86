// The lab's sidecars from the policy engine's model: who is in the mesh, who may reach each port, restarts on apply.

import { join } from 'node:path';
import { familyOf } from '../model/family.ts';
import { waitFor } from '../model/wait.ts';
import type { Model, RequestPolicy } from '../policy/index.ts';
import { loadNft } from './netns.ts';
import { stopProcesses } from './processes.ts';
import { attempt, run } from './run-command.ts';
import { captureRuleset, PASSTHROUGH_SOURCE, type PortAccess, sidecarPorts, sidecarProgram } from './sidecar.ts';
import { groupRequests } from './sidecar-http.ts';
import { type LabState, labDir } from './state.ts';
import { type RunningProgram, startProgram } from './supervisor.ts';
import type { LabPod, LabTopology } from './topology-types.ts';

/** Removes a pod's capture rules: its traffic goes straight to the application again. */
const RELEASE_RULESET = 'table inet prober_mesh\ndelete table inet prober_mesh\n';

/** The pods the engine puts in the mesh (`istio-injection`, `sidecar.istio.io/inject`, …): each gets a sidecar. */
function meshedPods(topology: LabTopology, model: Model): LabPod[] {
  return topology.pods.filter((pod) => model.workload(pod.workload)?.mesh === true);
}

/**
 * The meshed pods that get a sidecar: those with a TCP port to capture. A pod with none is still in
 * the mesh as a source (its identity counts); the lab's sidecar only stands in front of inbound ports.
 */
export function sidecarPods(topology: LabTopology, model: Model): LabPod[] {
  return meshedPods(topology, model).filter((pod) => sidecarPorts(topology, pod).length > 0);
}

/**
 * Refuses, before anything changes, a policy set with a local rate limit the engine does not model on a
 * port a sidecar would carry: the lab runs only what the model reproduces exactly (simulate and lint
 * only warn, since a rate limit decides no reachability verdict).
 */
export function refuseUnmodelledLimits(topology: LabTopology, model: Model): void {
  for (const pod of sidecarPods(topology, model))
    for (const { port, http } of sidecarPorts(topology, pod)) {
      const limit = http ? model.unmodelledRateLimit(pod.workload, port) : undefined;
      if (limit)
        throw new Error(
          `${limit.reason}: the lab cannot enforce this local rate limit on ${pod.namespace}/${pod.name} port ${port}`,
        );
    }
}

/** Where a pod's sidecar keeps its configuration. */
export const sidecarDir = (root: string, topology: LabTopology, pod: LabPod): string =>
  join(labDir(root, topology.lab), 'pods', pod.netns, 'istio-proxy');

/**
 * Who may reach each of `dst`'s ports through its sidecar: the engine's mesh verdict for every lab
 * pod's address, as the lab knows it (the lab has no mTLS: a source's identity is its address).
 * `unknown` is refused: a sidecar cannot enforce "maybe". Refused at once, before any data:
 * - where mTLS is STRICT, a source without a sidecar (plaintext, which the sidecar refuses whatever
 *   the policies say; the engine denies it too);
 * - on a TCP port, a denied source with a sidecar: its sidecar's mTLS handshake and Istio's metadata
 *   exchange are the first data, so the RBAC network filter judges and closes before the client
 *   speaks (ADR 0007). A plaintext source is judged on its own first data.
 * On an HTTP port, a source whose verdict depends on the request (`methods`, `paths`, `hosts`) is let
 * in, and the engine's per-request policy for it is compiled to HTTP rules; the port's local rate
 * limit (EnvoyFilter), if the engine places one there, becomes this sidecar's own token bucket.
 */
function sidecarAccess(topology: LabTopology, dst: LabPod, model: Model): Map<number, PortAccess> {
  const out = new Map<number, PortAccess>();
  const meshed = new Set(meshedPods(topology, model));
  for (const { port, http } of sidecarPorts(topology, dst)) {
    const allowed: string[] = [];
    const refuse: string[] = [];
    const requests: { source: string; policy: RequestPolicy }[] = [];
    let all = true;
    for (const src of topology.pods)
      for (const from of src.ips) {
        const to = dst.ips.find((ip) => familyOf(ip) === familyOf(from));
        if (to === undefined) continue;
        const query = { from: { ip: from }, to: { ip: to }, port };
        const mesh = model.decide({ ...query, protocol: 'TCP' }).mesh;
        const policy = http ? model.requestPolicy(query) : undefined;
        if (policy) requests.push({ source: from, policy });
        const denied = !policy && mesh?.enforced === true && mesh.verdict !== 'allow';
        if (denied) all = false;
        else allowed.push(from);
        const plaintextRefused = mesh?.enforced && mesh.mtls === 'STRICT' && !meshed.has(src);
        if (plaintextRefused || (denied && !http && meshed.has(src))) refuse.push(from);
      }
    const rateLimit = http ? model.localRateLimit(dst.workload, port) : undefined;
    out.set(port, {
      allow: all ? 'all' : allowed,
      refuse,
      requests: groupRequests(requests),
      ...(rateLimit ? { rateLimit } : {}),
    });
  }
  return out;
}

/**
 * Loads (or replaces) the capture rules of meshed pods, then ends the connections that reached an
 * application directly (opened before the capture): their clients reconnect through the sidecar at
 * once, as a restarted pod's clients would, instead of meeting a reset on their next request.
 */
export async function captureTraffic(topology: LabTopology, pods: readonly LabPod[]): Promise<void> {
  for (const pod of pods) {
    const ports = sidecarPorts(topology, pod);
    await loadNft(pod.netns, `${RELEASE_RULESET}${captureRuleset(topology, pod, ports)}`);
    if (ports.length === 0) continue;
    const filter = `( ${ports.map((p) => `sport = :${p.port}`).join(' or ')} ) and not dst ${PASSTHROUGH_SOURCE}`;
    // A kernel without socket destruction (INET_DIAG_DESTROY) leaves them to the capture's reset rule.
    await attempt('ip', ['netns', 'exec', pod.netns, 'ss', '-K', 'state', 'established', filter]);
  }
}

/** Whether every listener of a pod's sidecar is bound (read in its namespace, as kubelet would not need to). */
async function listening(pod: LabPod, ports: readonly number[]): Promise<boolean> {
  const out = await run('ip', ['netns', 'exec', pod.netns, 'ss', '-Hltn']).catch(() => '');
  const bound = new Set([...out.matchAll(/:(\d+)\s/g)].map((m) => Number(m[1])));
  return ports.every((p) => bound.has(p));
}

/** Starts a pod's sidecar and waits until it listens; then captures the pod's traffic into it. */
async function startSidecar(
  state: LabState,
  pod: LabPod,
  access: Map<number, PortAccess>,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<RunningProgram> {
  const { topology } = state;
  const ports = sidecarPorts(topology, pod);
  const spec = sidecarProgram(topology, pod, sidecarDir(root, topology, pod), access, ports);
  const started = await startProgram(spec, pod.netns, labDir(root, state.lab), env);
  const proxyPorts = ports.map((p) => p.proxyPort);
  const up = await waitFor(() => listening(pod, proxyPorts), { deadlineMs: 10_000, intervalMs: 20 });
  if (!up.ok) throw new Error(`the sidecar of ${pod.namespace}/${pod.name} did not listen within 10 s`);
  await captureTraffic(topology, [pod]);
  return started;
}

/**
 * Gives every pod the `model` puts in the mesh a sidecar configured from it (`open`: everything
 * allowed), and removes the sidecar of a pod it no longer puts there (a policy set's Namespace may
 * relabel a namespace for injection: the lab does what a rollout restart would). A restart closes
 * the connections the old sidecar carried, as a new policy closes connections in the nftables
 * flavours: pooled clients reconnect and meet it.
 */
export async function reconfigureSidecars(
  state: LabState,
  model: Model,
  root: string,
  env: NodeJS.ProcessEnv,
  options: { readonly open?: boolean } = {},
): Promise<RunningProgram[]> {
  const { topology } = state;
  const wanted = new Set(sidecarPods(topology, model).map((p) => p.netns));
  const kept: RunningProgram[] = [];
  for (const old of state.programs) {
    if (old.kind !== 'sidecar') {
      kept.push(old);
      continue;
    }
    await stopProcesses(old.startTime === undefined ? [] : [{ pid: old.pid, startTime: old.startTime }]);
    if (!wanted.has(old.netns)) await loadNft(old.netns, RELEASE_RULESET);
  }
  for (const pod of topology.pods) {
    if (!wanted.has(pod.netns)) continue;
    const access = options.open ? new Map<number, PortAccess>() : sidecarAccess(topology, pod, model);
    kept.push(await startSidecar(state, pod, access, root, env));
  }
  return kept;
}
