// `lab up` and `lab down`: stand the topology up with real programs, and remove everything it created.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readManifestObjects } from '../config/manifest-files.ts';
import { checkManifestNames } from '../config/manifest-names.ts';
import type { InputIo } from '../model/io.ts';
import type { ProgramChoice } from '../model/lab-profile.ts';
import { CLUSTER_DNS, clusterDnsObjects, clusterDnsPod, clusterDnsProgram, dnsRecords } from './cluster-dns.ts';
import { checkLabName, isLabNetns, labsOverlap } from './names.ts';
import { createNode, createPod, deleteNetns, listNetns, NETNS_ETC, pidsIn } from './netns.ts';
import { labModel } from './policies.ts';
import { preflight } from './preflight.ts';
import { type OwnedProcess, processInfo, stillOwned, stopProcesses } from './processes.ts';
import type { ProgramSpec, RecipeContext } from './programs/program.ts';
import { programFor } from './programs/recipes.ts';
import { waitUntilReady } from './readiness.ts';
import { residentAgent, waitForAgents } from './residents.ts';
import { sidecarProgram } from './sidecar.ts';
import { captureTraffic, sidecarDir, sidecarPods } from './sidecars.ts';
import { agentSocket, type LabState, labDir, labsOnHost, readState, removeLabDir, writeState } from './state.ts';
import { type RunningProgram, startProgram, tail } from './supervisor.ts';
import { deriveTopology } from './topology.ts';
import type { LabTopology } from './topology-types.ts';
import { checkLabSupport } from './unsupported.ts';

/** Options of `lab up`. */
export interface UpOptions {
  readonly lab: string;
  /** The directory every lab keeps its files in (labRoot). */
  readonly root: string;
  readonly manifests: readonly string[];
  readonly prober: readonly string[];
  /** A lab profile's program choices for images the lab does not know by name (none: synthetic targets). */
  readonly programs?: readonly ProgramChoice[];
  /** How to run the time app, or why it cannot run (only an error if the manifests need it). */
  readonly timeApp?: { readonly launch?: RecipeContext['timeApp']; readonly missing?: string };
  readonly readyTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** prober's environment: the lab's programs get its PATH. */
  readonly env: NodeJS.ProcessEnv;
  /** Where `-f -` and relative manifest paths are read from. */
  readonly io: InputIo;
}

/**
 * Reads the manifests and plans every program, without touching the host. Names are checked as the
 * API server would first: they become namespace names and paths below the lab's directories.
 */
export async function planLab(
  root: string,
  lab: string,
  manifests: readonly string[],
  io: InputIo,
  prober: readonly string[],
  timeApp?: UpOptions['timeApp'],
  choices: readonly ProgramChoice[] = [],
): Promise<{ topology: LabTopology; programs: ProgramSpec[] }> {
  checkLabName(lab);
  const { objects } = await readManifestObjects(manifests, io);
  checkManifestNames(objects);
  checkLabSupport(objects);
  // Every lab has its cluster DNS, as every cluster has; it comes last, so the manifests keep their addresses.
  const topology = deriveTopology(lab, [...objects, ...clusterDnsObjects(objects)]);
  const dnsPod = clusterDnsPod(topology);
  if (topology.pods.every((p) => p === dnsPod)) throw new Error(`no workloads found in ${manifests.join(', ')}`);
  const programs = topology.pods.flatMap((pod) =>
    pod.containers.map((container) =>
      pod === dnsPod
        ? clusterDnsProgram(topology, pod, join(labDir(root, lab), 'pods', pod.netns, container.name))
        : programFor(
            {
              pod,
              container,
              dir: join(labDir(root, lab), 'pods', pod.netns, container.name),
              prober,
              ...(timeApp?.launch ? { timeApp: timeApp.launch } : {}),
              ...(timeApp?.missing ? { timeAppMissing: timeApp.missing } : {}),
            },
            choices,
          ),
    ),
  );
  return { topology, programs: programs.filter((p) => p.argv.length > 0) };
}

/** Creates the lab; on failure or interruption removes whatever was created, then rethrows. */
export async function labUp(options: UpOptions): Promise<LabState> {
  const { lab, root, signal } = options;
  const log = options.log ?? (() => undefined);
  const { topology, programs } = await planLab(
    root,
    lab,
    options.manifests,
    options.io,
    options.prober,
    options.timeApp,
    options.programs,
  );
  // Pods in the mesh get a sidecar, as Istio's injector adds one: membership as the policy engine reads it.
  const meshed = sidecarPods(topology, await labModel({ manifests: options.manifests, topology }, [], options.io));
  programs.push(...meshed.map((pod) => sidecarProgram(topology, pod, sidecarDir(root, topology, pod))));
  preflight(programs.flatMap((p) => p.needs));
  // `prober` and `prober-lab` would both claim a namespace named prober-lab-…: one at a time.
  const other = (await labsOnHost(root)).find((name) => labsOverlap(lab, name));
  if (other)
    throw new Error(
      `lab "${lab}" would share network namespace names with lab "${other}": take it down first or choose another --name`,
    );
  if ((await readState(root, lab)) || (await listNetns(`${lab}-`)).length > 0) {
    throw new Error(`lab "${lab}" is already up (or was left behind): run \`prober lab down --name ${lab}\` first`);
  }
  let state: LabState = {
    lab,
    createdAt: new Date().toISOString(),
    manifests: options.manifests,
    topology,
    programs: [],
    policies: [],
  };
  // Written first, so `lab down` knows what to remove even if this process is killed midway.
  await writeState(root, state);
  try {
    await createNode(topology);
    for (const [index, pod] of topology.pods.entries()) {
      signal?.throwIfAborted();
      await createPod(topology, pod, index);
    }
    await captureTraffic(topology, meshed);
    log(
      `network: ${topology.pods.length} pods on ${topology.nodeIp}/${topology.prefixLength}, ${topology.services.length} services`,
    );
    const started: RunningProgram[] = [];
    const namespaces = [
      { name: 'node', netns: topology.nodeNetns },
      ...topology.pods.map((p) => ({ name: p.name, netns: p.netns })),
    ];
    const residents = namespaces.map(({ name, netns }) => ({
      netns,
      spec: residentAgent(name, options.prober, agentSocket(root, topology, netns)),
    }));
    const netnsOf = (spec: ProgramSpec): string => topology.pods.find((p) => p.name === spec.pod)!.netns;
    const startAll = async (specs: readonly { netns: string; spec: ProgramSpec }[]): Promise<void> => {
      for (const { netns, spec } of specs) {
        signal?.throwIfAborted();
        started.push(await startProgram(spec, netns, labDir(root, lab), options.env));
        state = { ...state, programs: [...started] };
        await writeState(root, state);
      }
    };
    const exited = async (): Promise<string | undefined> => {
      // A program with no start time was gone before it could be recorded; a zombie counts as exited.
      const dead = started.find(
        (p) => p.startTime === undefined || !stillOwned({ pid: p.pid, startTime: p.startTime }),
      );
      return dead ? `${dead.kind} of ${dead.pod} exited: ${await tail(dead.log)}` : undefined;
    };
    const node = { netns: topology.nodeNetns, socket: agentSocket(root, topology, topology.nodeNetns) };
    const ready = (specs: readonly ProgramSpec[], deadlineMs: number): Promise<void> =>
      waitUntilReady(
        node,
        options.prober,
        specs.flatMap((p) => p.ready),
        { deadlineMs, ...(signal ? { signal } : {}), failed: exited },
      );
    // The cluster DNS answers before any other program starts: programs resolve names as they come up.
    const [dns, others] = [programs.filter((p) => p.kind === 'dns'), programs.filter((p) => p.kind !== 'dns')];
    await startAll([...residents, ...dns.map((spec) => ({ netns: netnsOf(spec), spec }))]);
    await waitForAgents(
      residents.map((r) => r.spec.argv.at(-1)!),
      { deadlineMs: 15_000, ...(signal ? { signal } : {}), failed: exited },
    );
    await ready(dns, Math.min(15_000, options.readyTimeoutMs ?? 15_000));
    const dnsService = topology.services.find((s) => s.clusterIp === CLUSTER_DNS.clusterIp);
    if (dnsService)
      log(
        `dns: ${dnsService.dnsNames[0]} ${dnsService.clusterIps.join(' ')} (53/UDP, 53/TCP; dnsmasq in ${dnsService.namespace}), serving ${dnsRecords(topology).size} names`,
      );
    await startAll(others.map((spec) => ({ netns: netnsOf(spec), spec })));
    await ready(others, options.readyTimeoutMs ?? 60_000);
    log(
      `programs: ${started
        .filter((p) => p.kind !== 'agent')
        .map((p) => `${p.pod}/${p.container} (${p.kind})`)
        .join(', ')}; ${residents.length} resident agents`,
    );
    return state;
  } catch (error) {
    const { skipped } = await labDown(lab, root);
    for (const line of skipped) log(line);
    throw error;
  }
}

/** What `lab down` did: namespaces removed, and what it left alone (with why). */
export interface DownResult {
  readonly removed: number;
  readonly skipped: readonly string[];
}

/**
 * The processes to stop: everything inside the lab's namespaces (the lab's by definition), and the
 * recorded programs whose PID still has the start time recorded with it. A recorded PID that now
 * belongs to another process (reused, or a state file edited) is left alone and reported.
 */
async function labProcesses(
  state: LabState | undefined,
  namespaces: Iterable<string>,
  skipped: string[],
): Promise<OwnedProcess[]> {
  const owned = new Map<number, string>();
  for (const netns of namespaces) {
    for (const pid of await pidsIn(netns)) {
      const info = processInfo(pid);
      if (info) owned.set(pid, info.startTime);
    }
  }
  for (const program of state?.programs ?? []) {
    if (owned.has(program.pid)) continue;
    const info = processInfo(program.pid);
    if (!info) continue;
    if (program.startTime !== undefined && info.startTime === program.startTime) owned.set(program.pid, info.startTime);
    else
      skipped.push(
        `pid ${program.pid} (${program.pod}/${program.container}) is no longer the process the lab started: left alone`,
      );
  }
  return [...owned].map(([pid, startTime]) => ({ pid, startTime }));
}

/**
 * Removes every process, namespace, rule and file of the lab. Idempotent, and thorough even without
 * a state file: every namespace named after the lab is removed — except those of another lab whose
 * name extends this one (`prober-lab` is not part of `prober`).
 */
export async function labDown(lab: string, root: string): Promise<DownResult> {
  checkLabName(lab);
  const skipped: string[] = [];
  let state: LabState | undefined;
  try {
    state = await readState(root, lab);
  } catch (error) {
    skipped.push(`state not used: ${(error as Error).message}`);
  }
  const others = (await labsOnHost(root)).filter((other) => other.startsWith(`${lab}-`));
  const mine = (netns: string): boolean =>
    isLabNetns(lab, netns) && !others.some((other) => netns.startsWith(`${other}-`));
  const names = new Set(
    [
      ...(state ? [state.topology.nodeNetns, ...state.topology.pods.map((p) => p.netns)] : []),
      ...(await listNetns(`${lab}-`)),
    ].filter(mine),
  );
  await stopProcesses(await labProcesses(state, names, skipped));
  for (const netns of names) await deleteNetns(lab, netns);
  // /etc/netns files of namespaces that are already gone (a crash between the two steps).
  for (const entry of await readdir(NETNS_ETC).catch(() => [] as string[])) {
    if (mine(entry)) await deleteNetns(lab, entry);
  }
  await removeLabDir(root, lab);
  return { removed: names.size, skipped };
}
