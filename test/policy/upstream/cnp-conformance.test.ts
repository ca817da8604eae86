// network-policy-api conformance at v0.2.0 (ClusterNetworkPolicy, v1alpha2): every test of the
// ClusterNetworkPolicy profile, standard (core) and experimental (extended), checked against simulate.
import t from 'tap';
import { tempDir } from '../../helpers/temp.ts';
import { baseManifests, podInfo, runConformanceRow } from './anp-conformance.ts';
import { housePods } from './anp-conformance-policies.ts';
import { CNP_CONFORMANCE_COMMIT, CNP_CONFORMANCE_TAG, CNP_ROWS } from './cnp-conformance.ts';
import { modelFromManifests } from './manifests.ts';

t.test(
  `every ConformanceTest of ${CNP_CONFORMANCE_TAG} (${CNP_CONFORMANCE_COMMIT.slice(0, 12)}) is translated once`,
  (t) => {
    t.equal(new Set(CNP_ROWS.map((r) => r.shortName)).size, CNP_ROWS.length, 'no test twice');
    t.ok(CNP_ROWS.every((r) => /^CNP(Admin|Baseline)Tier/.test(r.shortName)));
    // 24 tests with 92 subtests: 18 standard tests with 83 subtests, 6 experimental ones with 9.
    t.same(
      { tests: CNP_ROWS.length, subtests: CNP_ROWS.reduce((n, r) => n + r.subtests.length, 0) },
      { tests: 24, subtests: 92 },
    );
    t.same(
      Object.fromEntries(
        (['core', 'extended'] as const).map((p) => [
          p,
          CNP_ROWS.filter((r) => r.profile === p).reduce((n, r) => [n[0]! + 1, n[1]! + r.subtests.length], [0, 0]),
        ]),
      ),
      { core: [18, 83], extended: [6, 9] },
    );
    // Only the two inline-CIDR tests carry steps from after v0.2.0 (the head's namespace relabel).
    t.same(
      CNP_ROWS.filter((r) => r.subtests.some((s) => s.afterwards)).map((r) => r.shortName),
      ['CNPAdminTierEgressInlineCIDRPeers', 'CNPBaselineTierEgressInlineCIDRPeers'],
    );
    t.end();
  },
);

for (const row of CNP_ROWS) {
  t.test(`ConformanceTest ${row.shortName} (${row.profile})`, async (t) => {
    await runConformanceRow(t, row, tempDir(t, 'cnp-conformance'));
  });
}

// Semantics the API's documentation states (at the head after v0.2.0: "Clarify hairpinning behavior",
// 2089511; "Clarify ICMP handling", cadb73e) that no conformance test pokes.
t.test('hairpin: a pod to its own pod IP is outside ClusterNetworkPolicy', async (t) => {
  // The model cannot say "allowed" here: its peers are workloads, not pods (two replicas of one workload
  // are one peer, and between them the policy does apply), and NetworkPolicy's hairpin behaviour differs
  // between CNIs. So the cell is `loopback` (no verdict, the policies' answer kept aside), never a deny.
  const deny = {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'deny-self' },
    spec: {
      tier: 'Admin',
      priority: 1,
      subject: housePods('gryffindor'),
      ingress: [{ action: 'Deny', from: [housePods('gryffindor')] }],
    },
  };
  const model = await modelFromManifests(tempDir(t, 'cnp-hairpin'), [...baseManifests(), deny]);
  const hp0 = podInfo('harry-potter-0');
  const self = model.decide({ from: { workload: `${hp0.namespace}/harry-potter-0` }, to: { ip: hp0.ip }, port: 80 });
  t.equal(self.verdict, 'loopback');
  t.equal(self.computed, 'deny', 'what the policy would say between distinct pods, kept for the reader');
  const other = model.decide({
    from: { workload: `${hp0.namespace}/harry-potter-1` },
    to: { ip: hp0.ip },
    port: 80,
  });
  t.equal(other.verdict, 'deny', 'another pod of the same namespace is subject to it');
});

t.test(
  'hairpin through a Service IP is subject to ClusterNetworkPolicy',
  {
    skip: 'not expressible: the model does not tell a pod reaching itself through its Service from its other replicas, and keeps hairpin cells as loopback (CNIs differ for NetworkPolicy)',
  },
  () => {},
);

t.test(
  'Accept also allows related ICMP (e.g. fragmentation needed)',
  {
    skip: 'not expressible: the model and the probes know TCP, UDP and SCTP only; replies are part of the connection a cell judges',
  },
  () => {},
);
