// Lint checks on reachability: workloads isolated both ways that nothing may reach (PL007), and Services whose
// targetPort no policy opens to anyone (PL008). Outside addresses are tried too: the CIDRs that ingress rules name.
import { attachedRules, type DirectionAttachments } from '../attach.ts';
import type { Workload } from '../cluster.ts';
import type { Model } from '../model.ts';
import type { Protocol } from '../types.ts';
import { type Finding, finding, nameList } from './findings.ts';

/** An address of no pod and no usual private network, standing for "the Internet". */
const OUTSIDE_IP = '203.0.113.7';

/** True when a policy of any tier isolates the workload in this direction or denies some of its traffic. */
function isolated(att: DirectionAttachments): boolean {
  return (
    att.network.some((a) => a.section.isolates) || [...att.admin, ...att.baseline].some((r) => r.action === 'deny')
  );
}

/** Answers "may anything reach workload w on port/protocol?", cached per question. */
export class Reachability {
  private readonly cache = new Map<string, boolean>();
  private readonly model: Model;

  constructor(model: Model) {
    this.model = model;
  }

  reachable(w: Workload, port: number, protocol: Protocol): boolean {
    const key = `${w.index}|${port}|${protocol}`;
    let result = this.cache.get(key);
    if (result === undefined) {
      result = this.fromWorkloads(w, port, protocol) || this.fromOutside(w, port, protocol);
      this.cache.set(key, result);
    }
    return result;
  }

  private fromWorkloads(w: Workload, port: number, protocol: Protocol): boolean {
    return this.model.matrix(port, protocol).reachedByOthers(w.index);
  }

  /** Tries an Internet address and one address of every CIDR the ingress rules name. */
  private fromOutside(w: Workload, port: number, protocol: Protocol): boolean {
    const candidates = new Set([OUTSIDE_IP]);
    for (const rule of attachedRules(this.model.engine.attachments.ingress[w.index]!)) {
      if (rule.peers === 'all') continue;
      for (const p of rule.peers) if (p.kind === 'cidr') candidates.add(p.block.cidr.split('/')[0]!);
    }
    for (const ip of candidates) {
      if (this.model.engine.cluster.workloadByIp.has(ip)) continue;
      const d = this.model.decide({ from: { ip }, to: { workload: w.id }, port, protocol });
      if (d.computed !== 'deny') return true;
    }
    return false;
  }
}

/** PL007: workloads isolated for ingress and egress that nothing may reach on any declared port. */
export function unreachableWorkloads(model: Model, reach: Reachability, skip: ReadonlySet<string>): Finding[] {
  const { attachments } = model.engine;
  const out: Finding[] = [];
  for (const w of model.engine.cluster.workloads) {
    if (skip.has(w.id) || w.ports.length === 0) continue;
    if (!isolated(attachments.ingress[w.index]!) || !isolated(attachments.egress[w.index]!)) continue;
    if (w.ports.some((p) => reach.reachable(w, p.port, p.protocol))) continue;
    const ports = w.ports.map((p) => `${p.port}/${p.protocol}`).join(', ');
    out.push(
      finding(
        'PL007',
        w.sources[0],
        w.id,
        `${w.id} is isolated for ingress and egress and no pod or outside address may reach it (ports ${ports})`,
        'allow ingress from its clients, or delete the workload if it is retired',
      ),
    );
  }
  return out;
}

/** PL008: Service ports with endpoints, none of which anything may reach on the targetPort. */
export function unreachableServices(model: Model, reach: Reachability): Finding[] {
  const out: Finding[] = [];
  for (const service of model.services) {
    for (const sp of service.ports) {
      const protocol = sp.protocol ?? 'TCP';
      const target = model.resolveTarget(`${service.name}.${service.namespace}`, sp.port, protocol);
      if (target.kind !== 'service' || target.endpoints.length === 0) continue;
      if (target.endpoints.some((e) => reach.reachable(e.workload, e.port, protocol))) continue;
      const name = `Service ${service.namespace}/${service.name}`;
      const targetPort = sp.targetPort ?? sp.port;
      out.push(
        finding(
          'PL008',
          service.source,
          `${name} ${sp.port}/${protocol}`,
          `${name} port ${sp.port}/${protocol} → targetPort ${targetPort}: no policy lets any pod or outside address reach its endpoints (${nameList(target.endpoints.map((e) => e.workload.id))})`,
          `allow ingress to the Service's pods on ${targetPort}/${protocol} from its clients`,
        ),
      );
    }
  }
  return out;
}
