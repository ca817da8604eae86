// The live page as served: names from manifests and targets (hostile ones here) stay data inside the
// page's JSON block and can neither end it nor add markup; the Content-Security-Policy allows exactly
// the inline style and script the page holds; GET / and GET /state.json on a real socket.

import { createHash } from 'node:crypto';
import t from 'tap';
import { loadReachabilityTest } from '../../src/config/load-test.ts';
import type { Cell } from '../../src/model/matrix.ts';
import { embeddedJson, WATCH_PAGE_CSP, watchPage } from '../../src/orchestration/watch-page.ts';
import { startMetricsServer } from '../../src/orchestration/watch-server.ts';
import { WatchState } from '../../src/orchestration/watch-state.ts';
import { inputIo } from '../helpers/input-io.ts';
import { ROOT } from '../helpers/prober.ts';
import { EXPECTATIONS, recorder, simulatedRun, watchedState } from '../helpers/watch-runs.ts';

const HOSTILE: Readonly<Record<string, string>> = {
  apache: 'apache</script><script>document.title="pwned"</script>',
  redis: 'redis<img src=x onerror=alert(1)><!--\u001b[2J\u2028\u202e',
};
const renamed = (cells: readonly Cell[]): Cell[] =>
  cells.map((c) => ({
    ...c,
    from: HOSTILE[c.from] ?? c.from,
    to: HOSTILE[c.to] ?? c.to,
    reason: 'timeout',
    detail: '</script>',
  }));

/** A page state whose names try to break out of the page. */
async function hostileState(): Promise<WatchState> {
  const test = await loadReachabilityTest(EXPECTATIONS, inputIo(ROOT));
  const cells = renamed(await simulatedRun(test, false));
  const name = 'x</script><b>';
  const state = new WatchState([name], 1000);
  recorder(state, name, 0.1)(cells, 0);
  state.recordFailure(name, 'run', '<script>alert(1)</script>', 1000);
  return state;
}

const count = (text: string, what: RegExp): number => text.match(what)?.length ?? 0;

t.test('hostile names stay inside the JSON block, as data', async (t) => {
  const snapshot = (await hostileState()).snapshot(0);
  const page = watchPage(snapshot);
  t.equal(count(page, /<script/gi), 2, 'the data block and the script, no other');
  t.equal(count(page, /<\/script/gi), 2, 'nothing ends a script early');
  t.notMatch(page, /<img|<b>|<!--/i, 'no markup from a name');
  t.notMatch(page, /[\u001b\u2028\u202e]/, 'no control or line-separator character');
  const block = /<script type="application\/json" id="state">([^<]*)<\/script>/.exec(page)?.[1];
  t.ok(block, 'the data block is found whole');
  t.same(JSON.parse(block!), snapshot, 'and reads back as the state');
  const apache = snapshot.tests[0]!.sources.find((s) => s.startsWith('apache'));
  t.equal(apache, HOSTILE.apache, 'the name itself is kept, to be shown as text');
  t.match(snapshot.tests[0]!.targets.join(' '), /redis<img src=x onerror=alert\(1\)><!--\\x1b\[2J\\u2028\\u202e/);
});

t.test('embeddedJson escapes what could end or bend a script block, and nothing else', async (t) => {
  t.equal(embeddedJson({ a: '</script>&<!--\u2028' }), '{"a":"\\u003c/script\\u003e\\u0026\\u003c!--\\u2028"}');
  t.same(JSON.parse(embeddedJson({ a: '</script>&<!--\u2028', n: 1 })), { a: '</script>&<!--\u2028', n: 1 });
  t.equal(embeddedJson({ a: 'é → ✓' }), '{"a":"é → ✓"}');
});

t.test("the Content-Security-Policy allows the page's own style and script, by hash, and nothing else", async (t) => {
  const page = watchPage((await watchedState([true])).snapshot(0));
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
  const sha = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  t.match(WATCH_PAGE_CSP, `script-src ${sha(script)};`);
  t.match(WATCH_PAGE_CSP, `style-src ${sha(style)};`);
  t.match(WATCH_PAGE_CSP, /^default-src 'none'; /);
  t.match(WATCH_PAGE_CSP, "connect-src 'self'");
  t.notMatch(WATCH_PAGE_CSP, /unsafe|\*|http/, 'no unsafe-inline, no wildcard, no other origin');
  t.notMatch(page, /\sstyle=|\son[a-z]+=|src=|href=/i, 'no inline attribute the policy would block, no external asset');
});

t.test('GET / serves the page with its policy; GET /state.json the state it polls', async (t) => {
  const state = await watchedState([true, false]);
  const server = await startMetricsServer(
    { host: '127.0.0.1', port: 0 },
    {
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      healthy: () => true,
      state: () => state.snapshot(0),
    },
  );
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.address.port}`;
  const page = await fetch(`${base}/`);
  t.equal(page.status, 200);
  t.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  t.equal(page.headers.get('content-security-policy'), WATCH_PAGE_CSP);
  t.equal(page.headers.get('x-content-type-options'), 'nosniff');
  t.equal(page.headers.get('cache-control'), 'no-store');
  t.equal(await page.text(), watchPage(state.snapshot(0)));
  const json = await fetch(`${base}/state.json?t=1`);
  t.equal(json.headers.get('content-type'), 'application/json');
  t.same(await json.json(), state.snapshot(0));
  const head = await fetch(`${base}/`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(await head.text(), '', 'HEAD: no body');
});
