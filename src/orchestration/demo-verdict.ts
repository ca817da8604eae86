// The demo's words and verdict: what the profile's named checks must show before and after its policies.

import type { CheckState, DemoCheck, DemoStory } from '../model/lab-profile.ts';

/** A check's observed state: a 2xx answer works, anything else is an error. */
export interface Observed {
  readonly check: DemoCheck;
  readonly ok: boolean;
}

/** `the seed` → `The seed's`, `the platform teams` → `The platform teams'`. */
export function possessive(requiredBy: string): string {
  const owner = `${requiredBy}${requiredBy.endsWith('s') ? "'" : "'s"}`;
  return owner.charAt(0).toUpperCase() + owner.slice(1);
}

const stateOf = (ok: boolean): CheckState => (ok ? 'works' : 'error');

/** What a check must show, in words: "still works", "gets an error", "now works" … */
function phrase(check: DemoCheck): string {
  const { before, after } = check;
  if (after === undefined) return before === 'works' ? 'works without a policy' : 'gets an error without a policy';
  if (after === before) return after === 'works' ? 'still works' : 'still gets an error';
  if (after === 'works') return before === 'error' ? 'now works' : 'works';
  return 'gets an error';
}

/** `a`, `a and b`, `a, b and c`. */
function list(parts: readonly string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * Whether every named check showed what the profile says (answers in the profile's order), and the
 * line saying so: "Case 1 still works and case 2 gets an error, as the seed requires."
 */
export function demoVerdict(
  story: DemoStory,
  before: readonly Observed[],
  after: readonly Observed[],
): { holds: boolean; line: string } {
  const holds = story.checks.every((check, i) => {
    const was = before[i];
    const is = after[i];
    if (check.before !== undefined && (!was || stateOf(was.ok) !== check.before)) return false;
    if (check.after !== undefined && (!is || stateOf(is.ok) !== check.after)) return false;
    return true;
  });
  if (!holds)
    return { holds, line: `${possessive(story.requiredBy)} requirement does NOT hold: see the checks above.` };
  const claims = story.checks
    .filter((c) => c.name !== undefined && (c.before !== undefined || c.after !== undefined))
    .map((c) => `${c.name} ${phrase(c)}`);
  const sentence = list(claims);
  return { holds, line: `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}, as ${story.requiredBy} requires.` };
}
