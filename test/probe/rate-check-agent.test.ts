// `prober agent` given a RateCheckPlan in its environment (what `prober run` gives a check's agent in
// the source pod): every phase sent in order with the pause between them, one RateMeasurement line per
// phase with its index, then AgentDone; the lines read back as measurements (model/rate-lines.ts), and
// a line that is not one is never judged as one.

import t from 'tap';
import { measurementOfLine } from '../../src/model/rate-lines.ts';
import { cli } from '../helpers/cli-in-process.ts';
import { httpServer, listen } from '../helpers/peers.ts';

t.test('both phases from one agent, the pause between them, then AgentDone', async (t) => {
  const arrivals: number[] = [];
  const port = await listen(
    t,
    httpServer((_req, res) => {
      arrivals.push(Date.now());
      res.writeHead(arrivals.length % 2 === 0 ? 429 : 200).end();
    }),
  );
  const plan = {
    apiVersion: 'prober/v1alpha1',
    kind: 'RateCheckPlan',
    source: 'client',
    check: 'web-limit',
    url: `http://127.0.0.1:${port}/`,
    timeoutMs: 1000,
    maxInFlight: 8,
    pauseMs: 700,
    phases: [
      { offeredPerSecond: 20, durationMs: 1000 },
      { offeredPerSecond: 40, durationMs: 1000 },
    ],
  };
  const run = await cli(['agent'], { env: { ...process.env, PROBER_PLAN: JSON.stringify(plan) } });
  t.equal(run.status, 0, run.stderr);
  const lines = run.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  t.same(
    lines.map((l) => [l.kind, l.phase]),
    [
      ['RateMeasurement', 0],
      ['RateMeasurement', 1],
      ['AgentDone', undefined],
    ],
  );
  t.match(lines[2], { source: 'client', check: 'web-limit' });
  const [first, second] = [measurementOfLine(lines[0]!, 0), measurementOfLine(lines[1]!, 1)];
  t.match(first, { offeredPerSecond: 20, scheduled: 20 }, 'phase 0 reads back as a measurement');
  t.match(second, { offeredPerSecond: 40, scheduled: 40 });
  t.equal((first?.sent ?? 0) + (second?.sent ?? 0), arrivals.length, 'every request sent reached the server');
  t.equal(measurementOfLine(lines[0]!, 1), undefined, 'a line of another phase is not this one');
  // The largest gap between two arrivals is the pause (the phases' own gaps are 25–50 ms).
  const gaps = arrivals.slice(1).map((at, i) => at - (arrivals[i] ?? at));
  t.ok(Math.max(...gaps) >= 650, `the pause between the phases (${Math.max(...gaps)} ms)`);
});

t.test('a line that is not a well-formed measurement is none', async (t) => {
  const good = {
    kind: 'RateMeasurement',
    phase: 0,
    offeredPerSecond: 10,
    durationMs: 1000,
    scheduled: 10,
    sent: 10,
    achievedPerSecond: 10,
    late: 0,
    accepted: 10,
    statuses: {},
    resets: 0,
    unanswered: { timeout: 0, refused: 0, error: 0 },
    rejectionHeaders: [],
  };
  t.ok(measurementOfLine(good, 0), 'the well-formed line is read');
  const bad: [string, Record<string, unknown>][] = [
    ['another kind', { ...good, kind: 'ProbeResult' }],
    ['a count as text', { ...good, accepted: '10' }],
    ['a negative count', { ...good, sent: -1 }],
    ['a status that is no status', { ...good, statuses: { oops: 3 } }],
    ['no unanswered counts', { ...good, unanswered: null }],
    ['headers that are not text', { ...good, rejectionHeaders: [1] }],
    ['a failure past 1 KiB', { ...good, firstFailure: 'x'.repeat(1025) }],
  ];
  for (const [name, line] of bad) t.equal(measurementOfLine(line, 0), undefined, name);
});
