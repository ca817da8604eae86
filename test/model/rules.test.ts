// Expectation rules: more specific wins, globs, unmatched sides and equal-specificity conflicts.

import t from 'tap';
import { decide, findConflicts, sideMatch, unmatchedSide } from '../../src/model/rules.ts';
import type { ExpectRule } from '../../src/model/test-spec.ts';

const rule = (from: string, to: string, verdict: 'allow' | 'deny', name?: string): ExpectRule => ({
  from,
  to,
  verdict,
  ...(name ? { name } : {}),
});

t.test('side matching scores exact over glob over star', async (t) => {
  t.equal(sideMatch('redis', 'redis'), 2);
  t.equal(sideMatch('red*', 'redis'), 1);
  t.equal(sideMatch('r?dis', 'redis'), 1);
  t.equal(sideMatch('*', 'redis'), 0);
  t.equal(sideMatch('app', 'redis'), undefined);
  t.equal(sideMatch('re.is', 'redis'), undefined, 'a dot is literal, not a regexp wildcard');
});

t.test('the more specific rule wins, whatever the order', async (t) => {
  const rules = [rule('*', 'redis', 'deny'), rule('app', 'redis', 'allow', 'app reaches redis')];
  t.equal(decide(rules, 'app', 'redis')?.verdict, 'allow');
  t.equal(decide(rules, 'app', 'redis')?.rule.name, 'app reaches redis');
  t.equal(decide(rules, 'apache', 'redis')?.verdict, 'deny');
  t.equal(decide([...rules].reverse(), 'app', 'redis')?.verdict, 'allow');
  t.equal(decide(rules, 'apache', 'app'), undefined, 'no rule: unchecked');
});

t.test('equally specific rules that disagree are conflicts', async (t) => {
  const rules = [rule('app', '*', 'allow'), rule('*', 'redis', 'deny')];
  const conflicts = findConflicts(rules, ['app', 'apache'], ['redis', 'web']);
  t.equal(conflicts.length, 1);
  t.match(conflicts[0], { from: 'app', to: 'redis' });
  t.same(
    findConflicts([rule('app', '*', 'allow'), rule('*', 'redis', 'allow')], ['app'], ['redis']),
    [],
    'agreeing rules are fine',
  );
});

t.test('a rule side that names nothing is reported', async (t) => {
  t.equal(unmatchedSide(rule('apache', 'redis', 'deny'), ['app'], ['redis']), 'from');
  t.equal(unmatchedSide(rule('app', 'red', 'deny'), ['app'], ['redis']), 'to');
  t.equal(unmatchedSide(rule('a*', 'r*', 'deny'), ['app'], ['redis']), undefined);
});
