// JUnit XML with XML's special characters in every field that reaches it: each comes back intact.

import t from 'tap';
import { assembleMatrix } from '../../src/model/matrix.ts';
import { buildReport } from '../../src/model/report.ts';
import { parseTarget } from '../../src/model/target.ts';
import { DEFAULTS, type ReachabilityTest } from '../../src/model/test-spec.ts';
import { renderReport } from '../../src/report/render.ts';

// Names and rules come from the user's test file and details from peers and the API server, so any of
// them may hold the five characters XML gives a meaning to.
const special = `a & b <"c"> 'd'`;

function hostileReport() {
  const parsed = parseTarget('redis://redis:6379');
  if (!parsed.ok) throw new Error(parsed.error);
  const test: ReachabilityTest = {
    name: `lab ${special}`,
    file: 'hostile.yaml',
    defaults: DEFAULTS,
    sources: [{ name: 'apache', namespace: 'b', local: false }],
    targets: [
      { name: 'redis', address: parsed.value, liveness: 'none' },
      { name: 'web', address: parsed.value, liveness: 'none' },
    ],
    rules: [
      { name: special, from: 'apache', to: 'redis', verdict: 'deny' },
      { from: 'apache', to: 'web', verdict: 'allow' },
    ],
    expectFromPolicies: false,
  };
  const results = new Map([
    [
      'apache',
      new Map([
        ['redis', { url: 'x', observed: 'allow' as const, reason: 'pong' as const, latencyMs: 1, attempts: 1 }],
        [
          'web',
          { url: 'x', observed: 'error' as const, reason: 'dns' as const, latencyMs: 1, attempts: 1, detail: special },
        ],
      ]),
    ],
  ]);
  const cells = assembleMatrix({ test, observations: { results, sourceErrors: new Map(), alive: new Map() } });
  return buildReport({
    test,
    cells,
    metadata: {
      backend: 'cluster',
      context: `ctx ${special}`,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      proberVersion: '0.1.0',
    },
  });
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXml = (text: string): string => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name) => entities[name]!);

/** The value of attribute `name` in every element `element`, decoded. */
function attributes(xml: string, element: string, name: string): string[] {
  const tags = xml.match(new RegExp(`<${element}\\b[^>]*>`, 'g')) ?? [];
  return tags.map((tag) => decodeXml(new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? '(missing)'));
}

const text = renderReport(hostileReport(), 'junit', { color: false });

t.test('every & is the start of an entity, and every tag is well formed', async (t) => {
  t.notMatch(text, /&(?!(?:amp|lt|gt|quot|apos);)/, 'no bare &');
  const tags = text.match(/<[^>]*>/g) ?? [];
  t.ok(tags.length > 10);
  for (const tag of tags) {
    t.match(tag, /^<(?:\?xml|\/?[\w]+)(?:\s+\w+="[^"<&]*(?:&\w+;[^"<&]*)*")*\s*\/?\??>$/, tag);
  }
});

t.test('attribute values come back as written', async (t) => {
  t.same(attributes(text, 'testsuite', 'name'), [`prober.lab ${special}`]);
  t.same(attributes(text, 'testcase', 'name'), [`apache → redis (${special})`, 'apache → web']);
  t.same(attributes(text, 'testcase', 'classname'), [`prober.lab ${special}.apache`, `prober.lab ${special}.apache`]);
  t.same(attributes(text, 'failure', 'message'), [`expected deny by ${special}, observed allow (pong)`]);
  t.same(attributes(text, 'property', 'value'), ['cluster', `ctx ${special}`]);
});

t.test('element text comes back as written', async (t) => {
  const body = /<error [^>]*>([^<]*)<\/error>/.exec(text)?.[1];
  t.ok(body !== undefined, 'an error element with text only');
  t.match(decodeXml(body ?? ''), `detail: ${special}`);
  const failure = /<failure [^>]*>([^<]*)<\/failure>/.exec(text)?.[1];
  t.match(decodeXml(failure ?? ''), `expected deny by ${special}, observed allow (pong)`);
});
