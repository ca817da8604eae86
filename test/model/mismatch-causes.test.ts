// The catalogue of mismatch causes: each rule holds on the evidence that supports it and on no other.

import t from 'tap';
import { MISMATCH_CAUSES, type MismatchInput, mismatchCause } from '../../src/model/mismatch-causes.ts';
import { type CellEvidence, type EvidenceCell, tallyEvidence } from '../../src/model/mismatch-evidence.ts';

const ev = (over: Partial<CellEvidence> = {}): CellEvidence => ({
  protocol: 'TCP',
  deniedAt: 'ingress',
  kinds: ['NetworkPolicy'],
  ipBlocks: [],
  ...over,
});

/** A run's cells: each [observed, model verdict, evidence]. */
const run = (...cells: [EvidenceCell['observed'], 'allow' | 'deny', CellEvidence][]) =>
  tallyEvidence(cells.map(([observed, modelVerdict, evidence]) => ({ observed, modelVerdict, evidence })));

/** A tcp:// or redis:// cell the model denies and that was observed allowed. */
const allowedDeny = (over: Partial<MismatchInput> = {}, evidence: Partial<CellEvidence> = {}): MismatchInput => ({
  scheme: 'redis',
  observed: 'allow',
  modelVerdict: 'deny',
  evidence: ev(evidence),
  ...over,
});

const denyHeld = ev();
const allowedByPods: CellEvidence = { protocol: 'TCP', kinds: ['NetworkPolicy'], ipBlocks: [] };

t.test('no-enforcement: every cell the model denies at the network layer was allowed', async (t) => {
  const cell = allowedDeny();
  const none = run(['allow', 'deny', denyHeld], ['allow', 'deny', denyHeld], ['allow', 'allow', allowedByPods]);
  t.match(mismatchCause(cell, none), { code: 'no-enforcement', sentence: /enforces no NetworkPolicy/ });
  // One deny of the run held: the CNI enforces something, so this is not the cause.
  t.equal(mismatchCause(cell, run(['allow', 'deny', denyHeld], ['deny', 'deny', denyHeld])), undefined);
  // A cell the model denies at the sidecar says nothing of the CNI.
  t.equal(mismatchCause(allowedDeny({}, { deniedAt: 'mesh', kinds: ['AuthorizationPolicy'] }), none), undefined);
  // Denies at the sidecar observed denied do not count as the CNI enforcing.
  const meshHeld = run(['allow', 'deny', denyHeld], ['deny', 'deny', ev({ deniedAt: 'mesh' })]);
  t.match(mismatchCause(cell, meshHeld), { code: 'no-enforcement' });
  // Observed deny where the model allows is another story.
  t.equal(mismatchCause({ ...cell, observed: 'deny', modelVerdict: 'allow' }, none), undefined);
  // Errors and unobserved cells are no evidence either way.
  t.match(mismatchCause(cell, run(['error', 'deny', denyHeld], [null, 'deny', denyHeld])), { code: 'no-enforcement' });
});

t.test('protocol-unsupported: UDP/SCTP denies never held while TCP denies did', async (t) => {
  const udp = ev({ protocol: 'UDP' });
  const sctp = ev({ protocol: 'SCTP' });
  const cell = allowedDeny({ scheme: 'udp' }, { protocol: 'UDP' });
  const seen = run(['allow', 'deny', udp], ['deny', 'deny', denyHeld]);
  t.match(mismatchCause(cell, seen), {
    code: 'protocol-unsupported',
    sentence: /every UDP cell .* does not enforce NetworkPolicy for UDP/,
  });
  t.match(
    mismatchCause(allowedDeny({}, { protocol: 'SCTP' }), run(['allow', 'deny', sctp], ['deny', 'deny', denyHeld])),
    {
      code: 'protocol-unsupported',
      sentence: /SCTP/,
    },
  );
  // One UDP deny held: the CNI does enforce UDP.
  t.equal(
    mismatchCause(cell, run(['allow', 'deny', udp], ['deny', 'deny', udp], ['deny', 'deny', denyHeld])),
    undefined,
  );
  // No deny held at all: that is no enforcement, not a protocol.
  t.match(mismatchCause(cell, run(['allow', 'deny', udp], ['allow', 'deny', denyHeld])), { code: 'no-enforcement' });
  // A TCP cell is never blamed on its protocol.
  const tcpOnly = run(['allow', 'deny', denyHeld], ['deny', 'deny', ev({ kinds: ['CiliumNetworkPolicy'] })]);
  t.not(mismatchCause(allowedDeny(), tcpOnly)?.code, 'protocol-unsupported');
});

t.test('kind-unsupported: every deny of one kind was allowed while other kinds held', async (t) => {
  const cnp = ev({ kinds: ['ClusterNetworkPolicy'] });
  const cell = allowedDeny({}, { kinds: ['ClusterNetworkPolicy'] });
  const seen = run(['allow', 'deny', cnp], ['allow', 'deny', cnp], ['deny', 'deny', denyHeld]);
  t.match(mismatchCause(cell, seen), {
    code: 'kind-unsupported',
    sentence: /no deny of ClusterNetworkPolicy held .* does not implement ClusterNetworkPolicy/,
  });
  // An Accept of the kind over a NetworkPolicy's isolation, not honoured: denied instead.
  const accepted = { ...cell, observed: 'deny' as const, modelVerdict: 'allow' as const };
  t.match(mismatchCause(accepted, seen), { code: 'kind-unsupported' });
  // The same cell in a run where the kind denies nothing: no evidence about the kind, no cause.
  const noKindDeny = run(
    ['deny', 'deny', denyHeld],
    ['allow', 'allow', ev({ deniedAt: 'mesh', kinds: ['ClusterNetworkPolicy'] })],
  );
  t.equal(mismatchCause(accepted, noKindDeny), undefined);
  // One ClusterNetworkPolicy deny held: the kind is implemented.
  t.equal(
    mismatchCause(cell, run(['allow', 'deny', cnp], ['deny', 'deny', cnp], ['deny', 'deny', denyHeld])),
    undefined,
  );
  // Nothing held: no enforcement at all.
  t.match(mismatchCause(cell, run(['allow', 'deny', cnp], ['allow', 'deny', denyHeld])), { code: 'no-enforcement' });
  // A cell whose deciding kinds all had a deny held gets no cause.
  t.equal(mismatchCause(allowedDeny(), run(['allow', 'deny', denyHeld], ['deny', 'deny', denyHeld])), undefined);
});

t.test('mesh-proxy-answers: a tcp:// connect allowed where the sidecar denies', async (t) => {
  const mesh = { deniedAt: 'mesh' as const, kinds: ['AuthorizationPolicy'] };
  const held = run(['deny', 'deny', denyHeld]);
  t.match(mismatchCause(allowedDeny({ scheme: 'tcp' }, mesh), held), {
    code: 'mesh-proxy-answers',
    sentence: /sidecar completes the TCP handshake/,
  });
  // A protocol probe the sidecar let through is not explained by the handshake.
  t.equal(mismatchCause(allowedDeny({ scheme: 'redis' }, mesh), held), undefined);
  // A tcp:// cell denied at the network layer: the SYN never reaches the sidecar.
  t.not(mismatchCause(allowedDeny({ scheme: 'tcp' }), held)?.code, 'mesh-proxy-answers');
  // Observed deny where the model allows: the sidecar answering cannot make a deny.
  t.equal(
    mismatchCause({ ...allowedDeny({ scheme: 'tcp' }, mesh), observed: 'deny', modelVerdict: 'allow' }, held),
    undefined,
  );
});

t.test('host-network: a hostNetwork source or a node address as target', async (t) => {
  const held = run(['deny', 'deny', denyHeld]);
  t.match(mismatchCause(allowedDeny({ sourceHostNetwork: true }), held), {
    code: 'host-network',
    sentence: /^the source uses its node's network/,
  });
  t.match(mismatchCause({ ...allowedDeny({}, { nodeTarget: true }), observed: 'deny', modelVerdict: 'allow' }, held), {
    code: 'host-network',
    sentence: /^the target uses/,
  });
  t.equal(mismatchCause(allowedDeny({ sourceHostNetwork: false }), held), undefined);
  // Agreement is never explained, whatever the evidence.
  t.equal(mismatchCause({ ...allowedDeny({ sourceHostNetwork: true }), modelVerdict: 'allow' }, held), undefined);
});

t.test('ipblock-snat: an ipBlock decided the cell while rules by pods held', async (t) => {
  const block = { ipBlocks: ['10.244.0.0/16 except 10.244.0.5/32'] };
  const cell = { ...allowedDeny({}, block), observed: 'allow' as const };
  const byPods = run(['deny', 'deny', denyHeld], ['allow', 'deny', ev(block)]);
  t.match(mismatchCause(cell, byPods), {
    code: 'ipblock-snat',
    sentence: /rests on ipBlock 10\.244\.0\.0\/16 except 10\.244\.0\.5\/32.*SNAT/,
  });
  const allowedThenDenied = { ...cell, observed: 'deny' as const, modelVerdict: 'allow' as const };
  t.match(mismatchCause(allowedThenDenied, byPods), { code: 'ipblock-snat' });
  // No ipBlock among the deciding rules: no cause.
  t.equal(mismatchCause({ ...allowedThenDenied, evidence: ev() }, byPods), undefined);
  // Nothing decided without an ipBlock agreed: the run does not show the CNI enforcing pod rules.
  t.equal(mismatchCause(allowedThenDenied, run(['allow', 'deny', ev(block)])), undefined);
});

t.test('the catalogue: stable codes, one sentence each, tried in order', async (t) => {
  t.same(
    MISMATCH_CAUSES.map((c) => c.code),
    [
      'host-network',
      'mesh-proxy-answers',
      'no-enforcement',
      'protocol-unsupported',
      'kind-unsupported',
      'ipblock-snat',
    ],
  );
  // A hostNetwork source in a run without enforcement is named by the more specific cause.
  const none = run(['allow', 'deny', denyHeld]);
  t.match(mismatchCause(allowedDeny({ sourceHostNetwork: true }), none), { code: 'host-network' });
  t.match(mismatchCause(allowedDeny({ scheme: 'tcp' }, { deniedAt: 'mesh' }), none), { code: 'mesh-proxy-answers' });
  for (const c of MISMATCH_CAUSES) t.notMatch(c.evidence, /\n/, `${c.code}: one line of evidence`);
});
