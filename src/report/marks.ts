// One character per cell, so a person reads a whole matrix at a glance; shared by every text renderer.

import type { Cell } from '../model/matrix.ts';

/** What a mark means, for legends. */
export interface Mark {
  readonly char: string;
  readonly meaning: string;
  readonly tone: 'good' | 'bad' | 'warn' | 'dim';
}

const MARKS = {
  allowPass: { char: '✓', meaning: 'allowed, as expected', tone: 'good' },
  denyPass: { char: '✗', meaning: 'denied, as expected', tone: 'good' },
  allowFail: { char: 'A', meaning: 'ALLOWED but expected deny', tone: 'bad' },
  denyFail: { char: 'D', meaning: 'DENIED but expected allow', tone: 'bad' },
  error: { char: '!', meaning: 'could not decide (error)', tone: 'warn' },
  allowUnchecked: { char: 'a', meaning: 'allowed, no expectation', tone: 'dim' },
  denyUnchecked: { char: 'd', meaning: 'denied, no expectation', tone: 'dim' },
  none: { char: '·', meaning: 'not observed, no expectation', tone: 'dim' },
  modelAllow: { char: '+', meaning: 'model: allow', tone: 'good' },
  modelDeny: { char: '-', meaning: 'model: deny', tone: 'good' },
} as const satisfies Record<string, Mark>;

/** The mark of a cell, from its result and what was observed. */
export function markOf(cell: Cell): Mark {
  switch (cell.result) {
    case 'pass':
      return cell.observed === 'allow' ? MARKS.allowPass : MARKS.denyPass;
    case 'fail':
      if (cell.observed === 'allow') return MARKS.allowFail;
      if (cell.observed === 'deny') return MARKS.denyFail;
      return MARKS.error;
    case 'error':
      return MARKS.error;
    case 'unchecked':
      if (cell.observed === 'allow') return MARKS.allowUnchecked;
      if (cell.observed === 'deny') return MARKS.denyUnchecked;
      return cell.observed === 'error' ? MARKS.error : MARKS.none;
    default: {
      const unreachable: never = cell.result;
      return unreachable;
    }
  }
}

/** The marks that appear, in a stable order, for the legend. */
export function legendFor(used: ReadonlySet<Mark>): Mark[] {
  return Object.values(MARKS).filter((mark) => used.has(mark));
}

/** `apache → redis (case 2)`: how a cell is named in lists. */
export function cellName(cell: Cell): string {
  const rule = cell.rule && !cell.rule.includes('→') ? ` (${cell.rule})` : '';
  return `${cell.from} → ${cell.to}${rule}`;
}

/** The outcome as text: `deny (timeout)`. */
export function observedText(cell: Cell): string {
  if (!cell.observed) return 'not observed';
  return cell.reason ? `${cell.observed} (${cell.reason})` : cell.observed;
}

/** The likely cause of a mismatch with the policy model, as a line: `likely cause (no-enforcement): …`. */
export function causeText(cell: Cell): string | undefined {
  return cell.cause ? `likely cause (${cell.cause.code}): ${cell.cause.sentence}` : undefined;
}
