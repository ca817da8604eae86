// Zone-affinity checks in the lab: every source pod (or the sample) sends at once, each through
// `prober agent --affinity -` started in its own network namespace (sender-process.ts: plan on stdin,
// one measurement line on stdout, never over the network under test). The lab's topology says which
// Service the target is, its endpoints' pods, nodes and zones, and which are ready (`lab stop`).

import type { AffinityEndpoint, AffinitySender, AffinityTarget, SourceRun } from '../model/affinity-judgement.ts';
import { affinityPlanOf, measurementIn, sampleByZone } from '../model/affinity-plan.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import { podsMatching } from './endpoints.ts';
import { runSender } from './sender-process.ts';
import type { LabPod, LabService, LabTopology } from './topology-types.ts';

/** How long past its requests' deadlines a sender may take before it is stopped. */
const GRACE_MS = 10_000;

/** The lab Service a URL's host names (a DNS name of it, a virtual address, or a short name in `namespace`). */
function serviceOf(topology: LabTopology, host: string, namespace: string | undefined): LabService | undefined {
  return topology.services.find(
    (s) =>
      s.dnsNames.includes(host) ||
      s.clusterIps.includes(host) ||
      (!host.includes('.') && s.name === host && s.namespace === namespace),
  );
}

/** The facts of the target Service: its settings and endpoints with zones and readiness. */
function targetOf(
  topology: LabTopology,
  service: LabService,
  port: number,
  stopped: ReadonlySet<string>,
): AffinityTarget {
  const zoneOfNode = (node: string): string | undefined => topology.nodes.find((n) => n.name === node)?.zone;
  const servicePort = service.ports.find((p) => p.port === port) ?? service.ports[0];
  const endpoints: AffinityEndpoint[] = (servicePort?.endpoints ?? []).map((e) => {
    const zone = zoneOfNode(e.node);
    return {
      pod: e.pod,
      ips: e.ips,
      node: e.node,
      ...(zone ? { zone } : {}),
      ready: !stopped.has(`${service.namespace}/${e.pod}`),
    };
  });
  return {
    service: `${service.namespace}/${service.name}`,
    ...(service.trafficDistribution ? { trafficDistribution: service.trafficDistribution } : {}),
    ...(service.internalTrafficPolicy ? { internalTrafficPolicy: service.internalTrafficPolicy } : {}),
    endpoints,
  };
}

/** The sender of a test's zone-affinity checks in the lab; `stopped` lists the pods `lab stop` stopped. */
export function labAffinitySender(
  topology: LabTopology,
  test: ReachabilityTest,
  prober: readonly string[],
  stopped: readonly string[] = [],
): AffinitySender {
  return async (check, signal) => {
    const source = test.sources.find((s) => s.name === check.from);
    if (!source || source.local)
      return { why: `the source ${check.from} is local: it has no pod, node or zone in the lab` };
    const service = serviceOf(topology, check.address.host, source.namespace);
    if (!service)
      return { why: `${check.address.host} is no Service of the lab: it has no endpoints with zones to judge` };
    const target = targetOf(topology, service, check.address.port, new Set(stopped));
    const zoneOf = (pod: LabPod): string | undefined => topology.nodes.find((n) => n.name === pod.node)?.zone;
    const all = podsMatching(topology, source.namespace, source.selector);
    const pods = check.sample === undefined ? all : sampleByZone(all, (p) => zoneOf(p) ?? '', check.sample);
    const plan = JSON.stringify(affinityPlanOf(check));
    // Enough for every request in turn to reach its deadline, a few at a time, and then some.
    const deadlineMs = Math.ceil(check.requests / 8) * check.timeoutMs + GRACE_MS;
    const sources = await Promise.all(
      pods.map(async (pod): Promise<SourceRun> => {
        const exit = await runSender(pod.netns, prober, '--affinity', plan, deadlineMs, signal);
        const measured = exit.started ? measurementIn(exit.stdout) : undefined;
        const zone = zoneOf(pod);
        const failed = { identities: [], sequence: [], failures: { timeout: 0, refused: 0, error: 0 } };
        return {
          pod: `${pod.namespace}/${pod.name}`,
          node: pod.node,
          ...(zone ? { zone } : {}),
          measurement:
            measured ??
            (signal.aborted
              ? { ...failed, sent: 0, interrupted: true }
              : { ...failed, sent: 0, firstFailure: exit.why }),
        };
      }),
    );
    if (pods.length === 0) {
      const selector = Object.entries(source.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return { why: `no lab pod in ${source.namespace} matches ${selector || 'any labels'}` };
    }
    return { target, sources };
  };
}
