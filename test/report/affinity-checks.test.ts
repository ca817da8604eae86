// A zone-affinity check in every report format: its title, what the Service asks for, and per source
// pod the answers by zone and the verdict; JSON validates against the report schema; what an answer
// named (a pod name from a header) is escaped as any target text is.

import t from 'tap';
import type { AffinityCheckResult } from '../../src/model/affinity-judgement.ts';
import type { Report } from '../../src/model/report.ts';
import { renderReport } from '../../src/report/render.ts';
import { reportSchemaErrors } from '../helpers/report-schema.ts';
import { sampleReport } from './fixtures.ts';

const HOSTILE = '<img src=x onerror=alert(1)> | \u001b[31m\u0007';

/** A report whose cells pass, with one affinity check of `verdict` whose second source pod's reason carries `text`. */
function withAffinity(verdict: AffinityCheckResult['verdict'], text = 'x'): Report {
  const base = sampleReport();
  const check: AffinityCheckResult = {
    name: 'same-zone',
    kind: 'affinity',
    from: 'pippo',
    to: 'paperino',
    url: 'http://paperino.zones.svc.cluster.local/',
    expected: 'the Kubernetes e2e rule · 100 requests per source pod, who answered from the x-pod-name header',
    service: 'zones/paperino',
    setting: 'zones/paperino has trafficDistribution: PreferClose',
    verdict,
    sources: [
      {
        pod: 'zones/pippo-0',
        zone: 'zone-a',
        sent: 100,
        answered: 100,
        byZone: { 'zone-a': 100 },
        sameZoneShare: 1,
        verdict: 'met',
        why: 'only the 3 ready endpoints of zone-a answered, each of them',
      },
      {
        pod: 'zones/pippo-1',
        zone: 'zone-b',
        sent: 100,
        answered: 100,
        byZone: { 'zone-a': 40, 'zone-b': 60 },
        sameZoneShare: 0.6,
        verdict,
        why: `answered by ${text} (zone-a), outside the 3 ready endpoints of zone-b`,
      },
    ],
  };
  const cells = base.cells.filter((c) => c.result === 'pass');
  return { ...base, cells, checks: [check], exitCode: verdict === 'met' ? 0 : verdict === 'not-met' ? 1 : 2 };
}

t.test('the table shows the check, the Service setting, and each source pod by zone', async (t) => {
  const text = renderReport(withAffinity('not-met'), 'table', { color: false, width: 250 });
  t.match(text, /✗ same-zone: zone affinity pippo → paperino: NOT MET/);
  t.match(text, /service: zones\/paperino has trafficDistribution: PreferClose/);
  t.match(
    text,
    /zones\/pippo-0 \(zone-a\): met — only the 3 ready endpoints of zone-a answered, each of them; 100 of 100 answered: zone-a 100 \(100 % same zone\)/,
  );
  t.match(
    text,
    /zones\/pippo-1 \(zone-b\): NOT MET — answered by x .*; 100 of 100 answered: zone-a 40, zone-b 60 \(60 % same zone\)/,
  );
  t.match(text, /1 check: 0 met, 1 not met, 0 could not decide/);
});

t.test('JSON carries the source pods and validates against the report schema', async (t) => {
  for (const verdict of ['met', 'not-met', 'undecided'] as const) {
    const json = JSON.parse(renderReport(withAffinity(verdict), 'json', { color: false }));
    t.same(reportSchemaErrors(json), [], verdict);
    t.match(json.checks[0], { kind: 'affinity', verdict, sources: [{ byZone: { 'zone-a': 100 } }, {}] });
  }
});

t.test('JUnit: a testcase named for the check, failure when not met, error when undecided', async (t) => {
  t.match(
    renderReport(withAffinity('met'), 'junit', { color: false }),
    /<testcase classname="prober\.[^"]*\.checks" name="same-zone: zone affinity pippo → paperino" time="0\.000"><system-out>/,
  );
  t.match(
    renderReport(withAffinity('not-met'), 'junit', { color: false }),
    /<failure message="same-zone: zone affinity pippo → paperino: NOT MET" type="zone-affinity">/,
  );
  t.match(
    renderReport(withAffinity('undecided'), 'junit', { color: false }),
    /<error message="[^"]*could not decide" type="undecided">/,
  );
});

t.test('Markdown and HTML list the check with each source pod; hostile text is escaped', async (t) => {
  const md = renderReport(withAffinity('not-met'), 'markdown', { color: false });
  t.match(md, /^\| check \| verdict \| part \| result \|$/m, 'a column for the parts of any kind of check');
  t.match(md, /\| same-zone \(pippo → paperino\) \| ✗ NOT MET \| expected \|/);
  t.match(md, /\| \| \| zones\/pippo-1 \\\(zone-b\\\) \| NOT MET — answered by x/);
  const html = renderReport(withAffinity('not-met', HOSTILE), 'html', { color: false });
  t.match(html, /<table id="checks">/);
  t.match(html, /zones\/pippo-1 \(zone-b\): NOT MET — answered by &lt;img/);
  t.notMatch(html, /<img src=x/);
  const table = renderReport(withAffinity('not-met', HOSTILE), 'table', { color: false, width: 250 });
  t.notMatch(table, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control character');
});
