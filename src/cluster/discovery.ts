// Discovery: which Ready pod stands for each source, and which target Services are proven alive by the API.

import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { familyLabel } from '../model/family.ts';
import { schemeOf } from '../model/schemes.ts';
import type { TargetSpec } from '../model/test-spec.ts';
import { KubeApiError } from './api-error.ts';
import { countBackends, describeUnready } from './endpoint-readiness.ts';
import { type KubeApi, RUN_ID_LABEL } from './kube-api.ts';
import { proberContainers } from './pod-budget.ts';
import { type ServiceRef, serviceRefOf } from './service-host.ts';

/** A label selector map as the API's string form: `app=web,tier=front`. */
export function selectorString(selector: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(selector ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** True when the pod is Running, its Ready condition is True and it is not being deleted. */
export function isReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') return false;
  return (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function whyNotReady(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'terminating';
  const phase = pod.status?.phase ?? 'Unknown';
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const why = ready?.reason ?? pod.status?.reason;
  return why ? `${phase}: ${why}` : phase;
}

function created(pod: V1Pod): number {
  const at = pod.metadata?.creationTimestamp;
  return at ? new Date(at).getTime() : Number.POSITIVE_INFINITY;
}

/** The pod chosen for a source, or why there is none. */
export type SourcePick = { readonly pod: V1Pod; readonly name: string } | { readonly error: string };

/**
 * Picks the Ready pod matching the selector that holds the fewest prober containers, counting those this
 * run is adding (`taken`, by `namespace/name`, updated here), then the oldest, then by name: every run
 * leaves an ephemeral container for good, so runs spread over the workload's pods instead of piling
 * onto one. prober's own probe pods carry the source's labels and are never picked.
 */
export async function pickSourcePod(
  api: KubeApi,
  namespace: string,
  selector: Readonly<Record<string, string>> | undefined,
  taken: Map<string, number> = new Map(),
): Promise<SourcePick> {
  const wanted = selectorString(selector);
  const pods = (await api.listPods(namespace, wanted)).filter((pod) => !pod.metadata?.labels?.[RUN_ID_LABEL]);
  const described = `${wanted ? `selector ${wanted}` : 'any pod'} in namespace ${namespace}`;
  if (pods.length === 0) return { error: `no pod matches ${described}` };
  const keyOf = (pod: V1Pod): string => `${namespace}/${pod.metadata?.name ?? ''}`;
  const load = (pod: V1Pod): number => proberContainers(pod) + (taken.get(keyOf(pod)) ?? 0);
  const ready = pods
    .filter(isReady)
    .sort(
      (a, b) =>
        load(a) - load(b) || created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    );
  const [first] = ready;
  if (!first) {
    const seen = pods.slice(0, 3).map((pod) => `${pod.metadata?.name} (${whyNotReady(pod)})`);
    return {
      error: `no Ready pod matches ${described}; found ${pods.length}: ${seen.join(', ')}${pods.length > 3 ? ', …' : ''}`,
    };
  }
  // Taken in the same tick as the list was read: a source picking next sees this one's agent.
  taken.set(keyOf(first), (taken.get(keyOf(first)) ?? 0) + 1);
  return { pod: first, name: first.metadata?.name ?? '?' };
}

/** What the API says about the targets: proven alive (with how), proven down (with why), and what could not be checked. */
export interface TargetEvidence {
  readonly alive: Map<string, string>;
  readonly down: Map<string, string>;
  readonly warnings: string[];
}

type ServiceVerdict = { readonly alive: string } | { readonly down: string } | { readonly skip: string | undefined };

async function judgeService(api: KubeApi, ref: ServiceRef, target: TargetSpec): Promise<ServiceVerdict> {
  const label = `Service ${ref.namespace}/${ref.name}`;
  let service: V1Service;
  try {
    service = await api.readService(ref.namespace, ref.name);
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.fatal) throw error;
    // NAME.NS may just as well be an external host such as example.com: not finding it proves nothing.
    if (error.code === 404) return ref.form === 'short' ? { skip: undefined } : { down: `${label} does not exist` };
    return { skip: `cannot check ${label}: ${error.message}` };
  }
  if (service.spec?.type === 'ExternalName') return { skip: undefined };
  const udp = schemeOf(target.address.scheme).transport === 'UDP';
  // A Service port's protocol defaults to TCP; a udp:// target needs a UDP port of that number.
  const protocolOf = (p: { protocol?: string }): string => p.protocol ?? 'TCP';
  const ports = service.spec?.ports ?? [];
  // A headless Service without ports resolves to its pods' addresses, on any port.
  const headless = service.spec?.clusterIP === 'None';
  const portless = headless && ports.length === 0;
  const port = ports.find((p) => p.port === target.address.port && (protocolOf(p) === 'UDP') === udp);
  if (!port && !portless) {
    const listed = ports.map((p) => `${p.port}/${protocolOf(p)}`).join(', ') || 'none';
    return { down: `${label} has no ${udp ? 'UDP' : 'TCP'} port ${target.address.port} (ports: ${listed})` };
  }
  try {
    const slices = await api.listEndpointSlices(ref.namespace, ref.name);
    const slicePort = port ? { name: port.name ?? '', protocol: protocolOf(port) } : undefined;
    const count = countBackends(slices, slicePort, target.family);
    const family = target.family ? `${familyLabel(target.family)} ` : '';
    if (count.serving === 0) return { down: `${label} has no ready ${family}endpoints${describeUnready(count)}` };
    // Ready endpoints say a process runs, not that it answers UDP: only a UDP reply in this run proves that.
    // Without a Service port, nothing says the pods listen on the probed one.
    if (udp || !slicePort) return { skip: undefined };
    // A headless Service's name resolves to its pods, probed at the port itself, not at its targetPort.
    if (headless && countBackends(slices, { ...slicePort, number: target.address.port }, target.family).serving === 0)
      return { skip: undefined };
    return { alive: `endpoints ready: ${count.serving} (${label})` };
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.fatal) throw error;
    return { skip: `cannot check the endpoints of ${label}: ${error.message}` };
  }
}

/**
 * Checks every target that names a Service: ready endpoints on the probed port prove it alive (so a
 * deny can be trusted); a missing Service, port or endpoint proves it down (its denies become
 * errors). Hosts that are not Services (IPs, external names) get no evidence here.
 */
export async function checkTargets(
  api: KubeApi,
  targets: readonly TargetSpec[],
  clusterDomain?: string,
): Promise<TargetEvidence> {
  const evidence: TargetEvidence = { alive: new Map(), down: new Map(), warnings: [] };
  const cache = new Map<string, Promise<ServiceVerdict>>();
  await Promise.all(
    targets.map(async (target) => {
      // A name asked of the resolver reaches the cluster DNS, not a Service the target names.
      if (schemeOf(target.address.scheme).reaches === 'resolver') return;
      const ref = serviceRefOf(target.address.host, clusterDomain);
      if (!ref) return;
      const protocol = schemeOf(target.address.scheme).transport;
      const key = `${ref.namespace}/${ref.name}:${target.address.port}/${protocol}/${target.family ?? 'any'}`;
      let verdict = cache.get(key);
      if (!verdict) {
        verdict = judgeService(api, ref, target);
        cache.set(key, verdict);
      }
      const result = await verdict;
      if ('alive' in result) evidence.alive.set(target.name, result.alive);
      else if ('down' in result) evidence.down.set(target.name, result.down);
      else if (result.skip) evidence.warnings.push(`target ${target.name}: ${result.skip}`);
    }),
  );
  return evidence;
}
