// What `prober simulate --explain` shows: one cell's decisions, explained.
import { isIP } from 'node:net';
import { someNames } from '../model/names.ts';
import type { Decision, Model, Peer, Protocol } from '../policy/index.ts';
import { escapeText } from '../report/escape.ts';
import { UsageError } from './usage-error.ts';

/** A destination port and protocol, as given on the command line (`6379`, `53/UDP`). */
export interface PortArg {
  readonly port: number;
  readonly protocol: Protocol;
}

/** True when the text is an IPv4 or IPv6 address rather than a workload or Service name. */
const isAddressText = (text: string): boolean => isIP(text) !== 0;

function peerOf(model: Model, text: string, flag: string): Peer {
  if (isAddressText(text)) return { ip: text };
  if (model.workload(text)) return { workload: text };
  const known = someNames(model.workloads.map((w) => w.id));
  throw new UsageError(
    `${flag}: "${text}" is neither a workload (namespace/name) nor an IP address (workloads: ${known})`,
  );
}

/**
 * Decisions for `--explain FROM TO PORT`. TO may also be a Service (`svc.ns[.svc…]`) with its
 * Service port: each of its endpoints is explained with the container port it receives.
 */
export function explainCell(model: Model, from: string, to: string, port: PortArg): Decision[] {
  const source = peerOf(model, from, '--explain FROM');
  if (!isAddressText(to) && !model.workload(to)) {
    const r = model.resolveTarget(to, port.port, port.protocol);
    if (r.kind === 'service') {
      if (r.endpoints.length === 0) throw new UsageError(`--explain TO: ${to} has no backends: ${r.notes.join('; ')}`);
      return r.endpoints.map((e) =>
        model.decide({ from: source, to: { workload: e.workload.id }, port: e.port, protocol: port.protocol }),
      );
    }
    if (r.kind === 'name')
      return [model.decide({ from: source, to: { name: r.name }, port: port.port, protocol: port.protocol })];
    if (r.kind === 'unknown')
      throw new UsageError(`--explain TO: "${to}" is not a workload (namespace/name), an IP or a Service: ${r.reason}`);
  }
  return [
    model.decide({ from: source, to: peerOf(model, to, '--explain TO'), port: port.port, protocol: port.protocol }),
  ];
}

const peerText = (p: Decision['from']): string => (p.kind === 'workload' ? p.id : p.kind === 'ip' ? p.ip : p.name);

/** Explained decisions as text. */
export function renderDecisions(decisions: readonly Decision[]): string {
  // Names and explanations come from manifests: escaped, one line each, before they reach a terminal.
  return `${decisions
    .map((d) =>
      [
        escapeText(`${peerText(d.from)} → ${peerText(d.to)} on ${d.port}/${d.protocol}: ${d.verdict.toUpperCase()}`),
        ...d.explanation.map((l) => `  ${escapeText(l)}`),
      ].join('\n'),
    )
    .join('\n\n')}\n`;
}
