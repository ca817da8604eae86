// The seed's story three ways through the real lab: NetworkPolicy and Cilium compiled to nftables,
// Istio to the sidecars. Each time case 1 works and case 2 errors, the matrix matches both
// policies/expectations.yaml and the policy model, and Redis's denials look as in a cluster:
// a silent drop (timeout) for the L3/L4 flavours, a connection closed by the sidecar for Istio.

import t from 'tap';
import { prepareRuntime } from '../../app/runtime.ts';
import { lab, labName, leftovers } from '../helpers/lab.ts';
import type { ReportCell } from '../helpers/report-schema.ts';

type Report = { cells: ReportCell[]; summary: Record<string, number> };

/** The demo's two JSON reports (no policy, then with the policies), one after the other on stdout. */
const reports = (stdout: string): Report[] =>
  stdout
    .split(/\n(?=\{\n {2}"apiVersion")/)
    .filter((doc) => doc.trim() !== '')
    .map((doc) => JSON.parse(doc) as Report);

const FLAVOURS = [
  { name: 'NetworkPolicy', args: ['--policies', 'policies/networkpolicy'], denied: /^timeout$/ },
  { name: 'Cilium', args: ['--policies', 'policies/cilium'], denied: /^timeout$/ },
  // The manifests label no namespace for injection (k8s/README.md's `kubectl label`): the lab assumes it.
  { name: 'Istio', args: ['--policies', 'policies/istio', '--assume-mesh'], denied: /^(closed|reset)$/ },
] as const;

t.before(async () => {
  await prepareRuntime();
});

for (const flavour of FLAVOURS) {
  t.test(`${flavour.name}: case 1 works, case 2 errors, the matrix as written and as modelled`, async (t) => {
    const name = labName();
    t.teardown(() => {
      lab(['down', '--name', name]);
    });
    const run = lab(['demo', '--name', name, ...flavour.args, '-o', 'json', '--no-color']);
    t.equal(run.status, 0, run.stderr);
    const after = run.stderr.split(/checks from a-ingress-traefik, with /)[1] ?? '';
    t.match(after, /\n {2}works {4}\/count\/get .*HTTP 200/, 'case 1 works');
    t.match(after, /\n {2}error {4}\/redis\/GET\/time /, 'case 2 gets an error');
    const [, report] = reports(run.stdout);
    t.ok(report, 'two reports');
    t.equal(report?.summary.fail, 0);
    t.equal(report?.summary.error, 0);
    const cell = (from: string, to: string) => report?.cells.find((c) => c.from === from && c.to === to);
    t.match(cell('apache', 'redis'), {
      result: 'pass',
      observed: 'deny',
      reason: flavour.denied,
      model: { verdict: 'deny' },
    });
    t.match(cell('ingress', 'redis'), { result: 'pass', observed: 'deny', reason: flavour.denied });
    t.match(cell('app', 'redis'), { result: 'pass', observed: 'allow', reason: 'pong', model: { verdict: 'allow' } });
    t.match(cell('apache', 'app'), { result: 'pass', observed: 'allow', reason: 'http-200' });
    t.same(leftovers(name), [], 'the demo took the lab down');
  });
}
