// `prober simulate --diff OLD NEW`: the cells whose verdict changes between two policy sets, written as found.

import type { Model, Protocol } from '../policy/index.ts';
import { escapeText } from '../report/escape.ts';
import { counted } from '../report/verdict-line.ts';
import type { PortArg } from './simulate-views.ts';

/** One cell whose verdict differs between two policy sets. */
interface Change {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly old: string;
  readonly new: string;
  readonly oldExplanation: readonly string[];
  readonly newExplanation: readonly string[];
}

/** A diff: how many cells were compared, and the changes, found (and explained) as they are read. */
export interface Diff {
  readonly cells: number;
  changes(): Generator<Change>;
}

/**
 * Cells (workload → workload on each declared container port) whose verdict changes from the
 * `before` model to the `after` model. Workloads are matched by id. Only changed cells are
 * explained, one at a time: a diff of two big clusters is never held whole.
 */
export function diffModels(before: Model, after: Model): Diff {
  const ports = new Map<string, PortArg>();
  for (const w of [...before.workloads, ...after.workloads])
    for (const p of w.ports) ports.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
  const pairs = before.workloads.flatMap((w) => {
    const other = after.workload(w.id);
    return other ? [{ before: w, after: other }] : [];
  });
  const serving = (port: PortArg) =>
    pairs.filter((p) => p.before.ports.some((q) => q.port === port.port && q.protocol === port.protocol));
  const cells = [...ports.values()].reduce((sum, port) => sum + pairs.length * serving(port).length, 0);
  return {
    cells,
    *changes() {
      for (const port of ports.values()) {
        const ma = before.matrix(port.port, port.protocol);
        const mb = after.matrix(port.port, port.protocol);
        const targets = serving(port);
        for (const src of pairs) {
          for (const dst of targets) {
            const a = ma.verdict(src.before.index, dst.before.index);
            const b = mb.verdict(src.after.index, dst.after.index);
            const ca = ma.computed(src.before.index, dst.before.index);
            const cb = mb.computed(src.after.index, dst.after.index);
            if (a === b && ca === cb) continue;
            const q = {
              from: { workload: src.before.id },
              to: { workload: dst.before.id },
              port: port.port,
              protocol: port.protocol,
            };
            yield {
              from: src.before.id,
              to: dst.before.id,
              ...port,
              old: ca,
              new: cb,
              oldExplanation: before.decide(q).explanation,
              newExplanation: after.decide(q).explanation,
            };
          }
        }
      }
    },
  };
}

/**
 * The diff as JSON (`kind: PolicyDiff`, one change per line) or text (a change and its explanations,
 * escaped), in chunks; returns how many cells changed.
 */
export function* diffChunks(
  diff: Diff,
  oldName: string,
  newName: string,
  format: 'json' | 'text',
): Generator<string, number> {
  let changed = 0;
  if (format === 'json') {
    const head = JSON.stringify(
      { apiVersion: 'prober/v1alpha1', kind: 'PolicyDiff', old: oldName, new: newName, cells: diff.cells },
      null,
      2,
    );
    yield `${head.slice(0, head.lastIndexOf('\n}'))},\n  "changes": [`;
    for (const change of diff.changes()) yield `${changed++ === 0 ? '' : ','}\n    ${JSON.stringify(change)}`;
    yield `${changed === 0 ? ']' : '\n  ]'}\n}\n`;
    return changed;
  }
  for (const c of diff.changes()) {
    changed++;
    const lines = [
      `${c.from} → ${c.to}:${c.port}/${c.protocol}: ${c.old} → ${c.new}${c.from === c.to ? ' (loopback)' : ''}`,
      ...c.oldExplanation.map((l) => `    ${oldName}: ${l}`),
      ...c.newExplanation.map((l) => `    ${newName}: ${l}`),
    ];
    yield `${lines.map(escapeText).join('\n')}\n`;
  }
  yield `${escapeText(`${changed} of ${counted(diff.cells, 'cell')} ${changed === 1 ? 'changes' : 'change'} between ${oldName} and ${newName}`)}\n`;
  return changed;
}
