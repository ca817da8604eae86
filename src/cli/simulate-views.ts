// What `prober simulate` shows besides the matrix: one explained decision, a policy diff.
import { someNames } from '../model/names.ts';
import type { Decision, Model, Peer, Protocol } from '../policy/index.ts';
import { escapeText } from '../report/escape.ts';
import { isAddressText } from './simulate-args.ts';
import { UsageError } from './usage-error.ts';

/** A destination port and protocol, as given on the command line (`6379`, `53/UDP`). */
export interface PortArg {
  readonly port: number;
  readonly protocol: Protocol;
}

function peerOf(model: Model, text: string, flag: string): Peer {
  if (isAddressText(text)) return { ip: text };
  if (model.workload(text)) return { workload: text };
  const known = someNames(model.workloads.map((w) => w.id));
  throw new UsageError(`${flag}: "${text}" is neither a workload (namespace/name) nor an IP address (workloads: ${known})`);
}

/**
 * Decisions for `--explain FROM TO PORT`. TO may also be a Service (`svc.ns[.svc…]`) with its
 * Service port: each backend is explained with the container port it receives.
 */
export function explainCell(model: Model, from: string, to: string, port: PortArg): Decision[] {
  const source = peerOf(model, from, '--explain FROM');
  if (!isAddressText(to) && !model.workload(to)) {
    const r = model.resolveTarget(to, port.port, port.protocol);
    if (r.kind === 'service') {
      if (r.backends.length === 0) throw new UsageError(`--explain TO: ${to} has no backends: ${r.notes.join('; ')}`);
      return r.backends.map((b) => model.decide({ from: source, to: { workload: b.workload.id }, port: b.port, protocol: port.protocol }));
    }
    if (r.kind === 'unknown') throw new UsageError(`--explain TO: "${to}" is not a workload (namespace/name), an IP or a Service: ${r.reason}`);
  }
  return [model.decide({ from: source, to: peerOf(model, to, '--explain TO'), port: port.port, protocol: port.protocol })];
}

const peerText = (p: Decision['from']): string => (p.kind === 'workload' ? p.id : p.ip);

/** Explained decisions as text. */
export function renderDecisions(decisions: readonly Decision[]): string {
  // Names and explanations come from manifests: escaped, one line each, before they reach a terminal.
  return `${decisions
    .map((d) => [escapeText(`${peerText(d.from)} → ${peerText(d.to)} on ${d.port}/${d.protocol}: ${d.verdict.toUpperCase()}`), ...d.explanation.map((l) => `  ${escapeText(l)}`)].join('\n'))
    .join('\n\n')}\n`;
}

/** One cell whose verdict differs between two policy sets. */
export interface Change {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly old: string;
  readonly new: string;
  readonly oldExplanation: readonly string[];
  readonly newExplanation: readonly string[];
}

/**
 * Cells (workload → workload on each declared container port) whose verdict changes from the
 * `before` model to the `after` model. Workloads are matched by id.
 */
export function diffModels(before: Model, after: Model): { cells: number; changes: Change[] } {
  const ports = new Map<string, PortArg>();
  for (const w of [...before.workloads, ...after.workloads]) for (const p of w.ports) ports.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
  const common = before.workloads.filter((w) => after.workload(w.id));
  const changes: Change[] = [];
  let cells = 0;
  for (const port of ports.values()) {
    const ma = before.matrix(port.port, port.protocol);
    const mb = after.matrix(port.port, port.protocol);
    for (const src of common) {
      for (const dst of common) {
        if (!dst.ports.some((p) => p.port === port.port && p.protocol === port.protocol)) continue;
        cells++;
        const a = ma.verdict(src.index, dst.index);
        const b = mb.verdict(after.workload(src.id)!.index, after.workload(dst.id)!.index);
        const ca = ma.computed(src.index, dst.index);
        const cb = mb.computed(after.workload(src.id)!.index, after.workload(dst.id)!.index);
        if (a === b && ca === cb) continue;
        const q = { from: { workload: src.id }, to: { workload: dst.id }, port: port.port, protocol: port.protocol };
        changes.push({ from: src.id, to: dst.id, ...port, old: ca, new: cb, oldExplanation: before.decide(q).explanation, newExplanation: after.decide(q).explanation });
      }
    }
  }
  return { cells, changes };
}

/** A diff as text. */
export function renderDiff(diff: { cells: number; changes: readonly Change[] }, oldName: string, newName: string): string {
  const lines = diff.changes.flatMap((c) => [
    `${c.from} → ${c.to}:${c.port}/${c.protocol}: ${c.old} → ${c.new}${c.from === c.to ? ' (loopback)' : ''}`,
    ...c.oldExplanation.map((l) => `    ${oldName}: ${l}`),
    ...c.newExplanation.map((l) => `    ${newName}: ${l}`),
  ]);
  lines.push(`${diff.changes.length} of ${diff.cells} cells change between ${oldName} and ${newName}`);
  return `${lines.map(escapeText).join('\n')}\n`;
}
