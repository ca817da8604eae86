// CIDR rules against pods: decided with known pod IPs, `unknown` (never a guessed deny) without them.
import t from 'tap';
import { buildModel, type Computed, type ModelOptions, type WorkloadInput } from '../../src/policy/index.ts';
import { docs } from './harness.ts';

const NP = (spec: string) =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n${spec}\n---\n`;
const ANP = (spec: string) =>
  `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n${spec}\n---\n`;
const server = { namespace: 'n', name: 'server', labels: { app: 'server' }, ips: ['10.9.0.1'], ports: [{ port: 80 }] };
const client = (ips?: string[]): WorkloadInput => ({
  namespace: 'n',
  name: 'client',
  labels: { app: 'client' },
  ...(ips ? { ips } : {}),
});

interface Row {
  readonly name: string;
  readonly policies: string;
  /** The client pod(s): IPs or none (a Deployment template). */
  readonly clients: readonly WorkloadInput[];
  /** The server, when not the default one with a known IP. */
  readonly server?: WorkloadInput;
  readonly want: Computed;
  /** Unknown cells of the whole matrix on port 80 (default: 1 when `want` is unknown). */
  readonly unknownCells?: number;
  /** Which side is undecidable, for unknown rows. */
  readonly side?: RegExp;
  readonly options?: ModelOptions;
}

const INGRESS_10 = NP(
  '  podSelector: {matchLabels: {app: server}}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.66.0.0/16]}}]}]',
);
const rows: Row[] = [
  {
    name: 'ipBlock, client IP unknown: undecidable',
    policies: INGRESS_10,
    clients: [client()],
    want: 'unknown',
    side: /^ingress to n\/server: unknown: whether .*ingress\[0\] match n\/client depends on pod IPs/m,
  },
  { name: 'ipBlock, client IP inside: allowed', policies: INGRESS_10, clients: [client(['10.1.2.3'])], want: 'allow' },
  {
    name: 'ipBlock, client IP outside: denied',
    policies: INGRESS_10,
    clients: [client(['192.168.0.7'])],
    want: 'deny',
  },
  {
    name: 'ipBlock, client IP in the except: denied',
    policies: INGRESS_10,
    clients: [client(['10.66.3.4'])],
    want: 'deny',
  },
  {
    name: 'ipBlock, two pods of one workload on either side of the block: undecidable',
    policies: INGRESS_10,
    clients: [client(['10.1.2.3']), { ...client(['192.168.0.7']), name: 'client-2', owner: 'client' }],
    want: 'unknown',
  },
  {
    name: 'a pod with an IP and one without (a pending pod): undecidable',
    policies: INGRESS_10,
    clients: [client(['10.1.2.3']), { ...client(), name: 'client-2', owner: 'client' }],
    want: 'unknown',
  },
  {
    name: 'a sure deny on the other side decides, whatever the IP',
    policies:
      INGRESS_10 +
      NP('  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]').replace('name: p,', 'name: q,'),
    clients: [client()],
    want: 'deny',
  },
  {
    name: '0.0.0.0/0 holds every pod, IP or not',
    policies: NP('  podSelector: {matchLabels: {app: server}}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]'),
    clients: [client()],
    want: 'allow',
  },
  {
    name: 'ANP networks Deny before an Allow: undecidable without the destination IP',
    policies: ANP(
      '  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - {action: Deny, to: [{networks: [10.9.0.0/16]}]}\n  - {action: Allow, to: [{namespaces: {}}]}',
    ),
    clients: [client()],
    server: { ...server, ips: [] },
    unknownCells: 2, // the server's egress to the client hangs on the client's IP the same way
    want: 'unknown',
    side: /^egress from n\/client: unknown: whether AdminNetworkPolicy a egress\[0\] match n\/server/m,
  },
  {
    name: 'ANP networks with the server IP known: decided',
    policies: ANP(
      '  priority: 1\n  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}}\n  egress:\n  - {action: Deny, to: [{networks: [10.9.0.0/16]}]}',
    ),
    clients: [client()],
    want: 'deny',
  },
  {
    name: 'Cilium CIDR rules never apply to pods: decided without IPs',
    policies:
      'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: n}\nspec:\n  endpointSelector: {matchLabels: {app: server}}\n  ingress: [{fromCIDR: [10.0.0.0/8]}]\n',
    clients: [client()],
    want: 'deny',
  },
  {
    name: 'Istio ipBlocks at a sidecar: undecidable without the source IP',
    policies:
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: i, namespace: n}\nspec:\n  selector: {matchLabels: {app: server}}\n  rules: [{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}]\n',
    clients: [client()],
    want: 'unknown',
    side: /^mesh at n\/server: unknown: whether AuthorizationPolicy n\/i rules\[0\] match n\/client/m,
    options: { assumeMesh: true },
  },
  {
    name: 'Istio notIpBlocks with the source IP known: decided',
    policies:
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: i, namespace: n}\nspec:\n  selector: {matchLabels: {app: server}}\n  action: DENY\n  rules: [{from: [{source: {notIpBlocks: [10.0.0.0/8]}}]}]\n',
    clients: [client(['192.168.0.7'])],
    want: 'deny',
    options: { assumeMesh: true },
  },
];

for (const row of rows) {
  t.test(row.name, (t) => {
    const model = buildModel(
      { workloads: [row.server ?? server, ...row.clients], policies: docs(row.policies) },
      row.options,
    );
    const d = model.decide({ from: { workload: 'n/client' }, to: { workload: 'n/server' }, port: 80 });
    t.equal(d.computed, row.want, 'decide()');
    t.equal(d.verdict, row.want, 'not a loopback cell');
    const m = model.matrix(80, 'TCP');
    t.equal(
      m.verdict(model.workload('n/client')!.index, model.workload('n/server')!.index),
      row.want,
      'matrix() agrees',
    );
    t.equal(m.unknown, row.unknownCells ?? (row.want === 'unknown' ? 1 : 0), 'unknown cells counted');
    if (row.side) t.match(d.explanation.join('\n'), row.side, 'the undecidable side says which rule and whose IP');
    if (row.want === 'unknown') t.notOk(d.deniedAt, 'never reported as a deny');
    t.end();
  });
}

t.test('a known pod IP as the peer decides even when the workload has other pods', (t) => {
  const model = buildModel({
    workloads: [server, client(['10.1.2.3']), { ...client(), name: 'client-2', owner: 'client' }],
    policies: docs(INGRESS_10),
  });
  t.equal(model.decide({ from: { ip: '10.1.2.3' }, to: { workload: 'n/server' }, port: 80 }).computed, 'allow');
  t.end();
});
