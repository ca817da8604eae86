// The lab as the tests see it: rendered kustomizations, pod templates, Services and label matching.

import { type K8sObject, ofKind, renderKustomization, type SourcedObject } from './manifests.ts';

/** A container of a pod template, with the fields the cross-checks read. */
export interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}

/** The part of a probe the checks read. */
export interface Probe {
  httpGet?: { path?: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
}

/** A pod spec, with the fields the cross-checks read. */
export interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string; items?: { key: string }[] }; emptyDir?: object }[];
  [field: string]: unknown;
}

/** A workload's pod template: what the pods it creates will look like. */
export interface PodTemplate {
  readonly owner: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly spec: PodSpec;
  readonly where: string;
}

/**
 * The lab (`k8s/`), the prober run (`k8s/prober/job/`), simulate's read-only role
 * (`k8s/prober/simulate/`) and cleanup's (`k8s/prober/cleanup/`), rendered as kustomize would.
 */
export function renderAll(): { lab: SourcedObject[]; job: SourcedObject[]; all: SourcedObject[]; files: string[] } {
  const lab = renderKustomization('k8s');
  const job = renderKustomization('k8s/prober/job');
  const simulate = renderKustomization('k8s/prober/simulate');
  const cleanup = renderKustomization('k8s/prober/cleanup');
  const watch = renderKustomization('k8s/prober/watch');
  // Applied by hand per source namespace (--agent=resident only): its files are deployed, its Role is in none of these.
  const resident = renderKustomization('k8s/prober/resident-namespace');
  return {
    lab: lab.objects,
    job: job.objects,
    all: [...lab.objects, ...job.objects, ...simulate.objects, ...cleanup.objects, ...watch.objects],
    files: [...lab.files, ...job.files, ...simulate.files, ...cleanup.files, ...watch.files, ...resident.files],
  };
}

/** The pod templates of Deployments, DaemonSets, StatefulSets and Jobs. */
export function podTemplates(objects: readonly SourcedObject[]): PodTemplate[] {
  return objects
    .filter((o) => ['Deployment', 'DaemonSet', 'StatefulSet', 'Job'].includes(o.object.kind))
    .map(({ object, where }) => {
      const template = (object.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } })
        .template;
      return {
        owner: `${object.kind}/${object.metadata.name}`,
        namespace: object.metadata.namespace ?? '',
        labels: template.metadata?.labels ?? {},
        spec: template.spec,
        where,
      };
    });
}

/** A Service's selector and ports. */
export interface ServiceView {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Record<string, string>;
  readonly ports: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
  readonly where: string;
}

/** The Services of a rendered set. */
export function services(objects: readonly SourcedObject[]): ServiceView[] {
  return ofKind(objects, 'Service').map(({ object, where }) => {
    const spec = object.spec as { selector?: Record<string, string>; ports: ServiceView['ports'] };
    return {
      name: object.metadata.name ?? '',
      namespace: object.metadata.namespace ?? '',
      selector: spec.selector ?? {},
      ports: spec.ports,
      where,
    };
  });
}

/** A label selector as Kubernetes writes it. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Whether `selector` selects `labels` (an empty selector selects everything). */
export function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default: {
        const unreachable: never = e.operator;
        throw new Error(`unknown selector operator ${String(unreachable)}`);
      }
    }
  });
  return byLabels && byExpressions;
}

/** The labels of each Namespace object, by name. */
export function namespaceLabels(objects: readonly SourcedObject[]): Map<string, Record<string, string>> {
  return new Map(
    ofKind(objects, 'Namespace').map(({ object }) => [object.metadata.name ?? '', object.metadata.labels ?? {}]),
  );
}

/** Finds the container port a Service targetPort refers to (by name or number) in a pod template. */
export function resolveTargetPort(
  template: PodTemplate,
  targetPort: number | string,
  protocol = 'TCP',
): number | undefined {
  for (const container of template.spec.containers) {
    for (const port of container.ports ?? []) {
      if ((port.protocol ?? 'TCP') !== protocol) continue;
      if (typeof targetPort === 'number' ? port.containerPort === targetPort : port.name === targetPort)
        return port.containerPort;
    }
  }
  return undefined;
}

/** `kind/namespace/name` of an object, for messages. */
export function idOf(object: K8sObject): string {
  return `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name ?? '?'}`;
}
