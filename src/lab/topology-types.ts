// The lab's picture of the cluster: pods with addresses and containers, Services with virtual IPs.

/** A container of a lab pod, as the manifests declare it. */
export interface LabContainer {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly {
    readonly name?: string;
    readonly containerPort: number;
    readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  }[];
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string }[];
}

/** A lab pod: one network namespace with an address, running its containers' programs. */
export interface LabPod {
  readonly namespace: string;
  readonly name: string;
  /** The Deployment/StatefulSet/DaemonSet/Pod it comes from (`namespace/name`). */
  readonly workload: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  /** The emulated node the pod is placed on (its `spec.nodeName`), see placement.ts. */
  readonly node: string;
  /** Network namespace name on the host. */
  readonly netns: string;
  /** The pod's IPv4 address (its `status.podIP`). */
  readonly ip: string;
  /** Every address of the pod, one per family, IPv4 first (its `status.podIPs`). */
  readonly ips: readonly string[];
  readonly containers: readonly LabContainer[];
  /** Volumes backed by ConfigMaps: volume name → ConfigMap data (file name → content). */
  readonly configVolumes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly source: string;
}

/** One port of a lab Service, resolved to each endpoint's container port. */
export interface LabServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  /** Endpoint pod IPv4 address (and every address, per family) → container port (named targetPorts resolved per pod). */
  readonly endpoints: readonly {
    readonly pod: string;
    /** The endpoint pod's node (the EndpointSlice's `nodeName`). */
    readonly node: string;
    readonly ip: string;
    readonly ips: readonly string[];
    readonly port: number;
  }[];
}

/** A Service with its virtual IP, the names it answers to, and its endpoints. */
export interface LabService {
  readonly namespace: string;
  readonly name: string;
  /** The IPv4 virtual address (`spec.clusterIP`), or `None` for a headless Service (its name resolves to its pods' addresses). */
  readonly clusterIp: string;
  /** The virtual address of each family, IPv4 first (`spec.clusterIPs`); empty for a headless Service. */
  readonly clusterIps: readonly string[];
  /** `svc.ns.svc.cluster.local`, `svc.ns.svc`, `svc.ns`. */
  readonly dnsNames: readonly string[];
  readonly ports: readonly LabServicePort[];
  /** `spec.trafficDistribution` as written (PreferClose, PreferSameZone, PreferSameNode; others mean none). */
  readonly trafficDistribution?: string;
  /** `spec.internalTrafficPolicy`: `Local` keeps traffic on the client's node. */
  readonly internalTrafficPolicy?: 'Cluster' | 'Local';
}

/** An emulated node: a name and labels (its zone from `topology.kubernetes.io/zone`). */
export interface LabNode {
  readonly name: string;
  /** `topology.kubernetes.io/zone`, when the node has it. */
  readonly zone?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The Node manifest it comes from, or `lab default`. */
  readonly source: string;
}

/** Everything `lab up` builds, derived from manifests only. */
export interface LabTopology {
  readonly lab: string;
  /** The namespace holding the bridge: the lab's "node". */
  readonly nodeNetns: string;
  readonly nodeIp: string;
  readonly prefixLength: number;
  /** The node's IPv6 address on the bridge, and the IPv6 pod network's prefix length. */
  readonly nodeIp6: string;
  readonly prefixLength6: number;
  readonly namespaces: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[];
  /**
   * The emulated nodes pods are placed on (Node manifests, or the lab's two default nodes). They are
   * labels, not machines: every pod still sits on the one bridge; Service routing reads them.
   */
  readonly nodes: readonly LabNode[];
  readonly pods: readonly LabPod[];
  readonly services: readonly LabService[];
  /** Extra host names (e.g. Ingress hosts such as pippo.lan) → the Service's virtual IPs behind them. */
  readonly extraHosts: readonly { readonly name: string; readonly ip: string; readonly ips: readonly string[] }[];
}
