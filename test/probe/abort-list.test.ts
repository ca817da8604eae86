// The attempts waiting on a run's signal: an abort ends those still waiting, once each, and no others.

import t from 'tap';
import { whenAborted } from '../../src/probe/abort-list.ts';

t.test('an abort calls each attempt still registered once, and none that stopped waiting', async (t) => {
  const controller = new AbortController();
  const called: string[] = [];
  whenAborted(controller.signal, () => called.push('first'));
  const stopSecond = whenAborted(controller.signal, () => called.push('second'));
  whenAborted(controller.signal, () => called.push('third'));
  stopSecond();
  stopSecond();
  controller.abort();
  controller.abort();
  t.same(called.sort(), ['first', 'third']);
});

t.test('stopping after the abort changes nothing; signals keep their own attempts', async (t) => {
  const one = new AbortController();
  const other = new AbortController();
  const called: string[] = [];
  const stopOne = whenAborted(one.signal, () => called.push('one'));
  whenAborted(other.signal, () => called.push('other'));
  one.abort();
  stopOne();
  t.same(called, ['one']);
  other.abort();
  t.same(called, ['one', 'other']);
});

t.test('an attempt that registers and stops thousands of times leaves the abort only the live ones', async (t) => {
  const controller = new AbortController();
  let live = 0;
  for (let i = 0; i < 5000; i++) {
    const stop = whenAborted(controller.signal, () => t.fail('a stopped attempt was aborted'));
    if (i % 1000 === 0) whenAborted(controller.signal, () => live++);
    stop();
  }
  controller.abort();
  t.equal(live, 5);
});
