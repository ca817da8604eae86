// Sources that could not probe, said once per failure: one RBAC 403 several sources got is one line naming them.

import type { Cell } from '../model/matrix.ts';
import type { ReportHead, ReportSource } from '../model/report.ts';
import { counted } from './verdict-line.ts';

/** One failure and the sources it hit, with how many of their listed cells only repeat it. */
export interface SourceFailure {
  /** The first source's error, as the backend worded it. */
  readonly error: string;
  /** The sources, in the report's order. */
  readonly names: readonly string[];
  /** Sources whose error is the same but for their own namespace or pod: `name in namespace ns`. */
  readonly alike: readonly string[];
  /** Listed cells folded into this line. */
  readonly cells: number;
}

/**
 * Groups the failed sources of a report by their error, and picks the listed cells that only repeat
 * their source's error (they are folded into its line). Errors that differ only by each source's own
 * namespace and pod (the API server names them) are one failure: the first is quoted whole, the
 * others are named with their namespace. Any other difference keeps the errors apart.
 */
export function sourceFailures(
  head: ReportHead,
  listed: readonly Cell[],
): { failures: SourceFailure[]; folded: Set<Cell> } {
  const groups = new Map<string, { error: string; names: string[]; alike: string[]; cells: number }>();
  const groupOf = new Map<string, { error: string; cells: number }>();
  for (const source of head.sources) {
    if (!source.error) continue;
    const key = shapeOf(source);
    const group = groups.get(key);
    if (!group) {
      const created = { error: source.error, names: [source.name], alike: [], cells: 0 };
      groups.set(key, created);
      groupOf.set(source.name, created);
      continue;
    }
    group.names.push(source.name);
    if (source.error !== group.error)
      group.alike.push(`${source.name}${source.namespace ? ` in namespace ${source.namespace}` : ''}`);
    groupOf.set(source.name, group);
  }
  const errorOf = new Map(head.sources.map((s) => [s.name, s.error]));
  const folded = new Set<Cell>();
  for (const cell of listed) {
    const error = errorOf.get(cell.from);
    if (cell.reason !== 'source' || error === undefined || cell.detail !== error) continue;
    folded.add(cell);
    const group = groupOf.get(cell.from);
    if (group) group.cells++;
  }
  return { failures: [...groups.values()], folded };
}

/** The text of a failure's line: who, the error, the sources alike and the cells it stands for. */
export function sourceFailureText(failure: SourceFailure): string {
  const several = failure.names.length > 1;
  const who = several ? `sources ${failure.names.join(', ')}` : `source ${failure.names[0]}`;
  const notes = [
    failure.alike.length > 0 ? `the same for ${failure.alike.join(', ')}` : undefined,
    failure.cells > 0
      ? `${several ? 'their' : 'its'} ${counted(failure.cells, 'cell')} could not be probed`
      : undefined,
  ].filter(Boolean);
  return `${who}: ${failure.error}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/**
 * The error with the source's own namespace and pod taken out, as whole words only, so that a name
 * that is also an ordinary word ("default") can only keep two errors apart, never join them.
 */
function shapeOf(source: ReportSource): string {
  let shape = source.error ?? '';
  for (const [name, mark] of [
    [source.pod, '\u0000pod'],
    [source.namespace, '\u0000namespace'],
  ] as const) {
    if (!name) continue;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    shape = shape.replace(new RegExp(`(?<![A-Za-z0-9.-])${escaped}(?![A-Za-z0-9-])`, 'g'), mark);
  }
  return shape;
}
