// AuthorizationPolicy's HTTP-only fields (methods, paths, hosts and their `not` forms), row by row, each named after
// the Istio behaviour it mirrors. Upstream: istio/istio pilot/pkg/security/authz/model/model.go (New, Generate,
// generatePermission, rule.checkError), generator.go (methodGenerator, pathGenerator, hostGenerator: "is HTTP only"
// for TCP), builder/builder.go (Builder.build: "skipped rule … on TCP filter chain"), matcher/header.go (HeaderMatcher,
// HostMatcher: ignore case for hosts only; PathMatcher) and matcher/string.go (StringMatcherWithPrefix: `*` is `.+`).
import t from 'tap';
import { parseReachabilityTest } from '../../src/config/load-test.ts';
import { buildModel, type HttpRequest, type Model } from '../../src/policy/index.ts';
import { predictTest } from '../../src/policy/predict.ts';
import { docs, indent } from './harness.ts';

const ap = (name: string, spec: string): string =>
  `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: x}\nspec:\n${indent(spec)}\n---\n`;

/** x/web serves 8080 (container port `http`), 9000 (`tcp-db`), 9001 (unnamed), 9090 (HTTP through Service port `http-alt`). */
function model(policies: string): Model {
  const ports = [
    { port: 8080, name: 'http' },
    { port: 9000, name: 'tcp-db' },
    { port: 9001 },
    { port: 9090, name: 'alt' },
  ];
  return buildModel(
    {
      namespaces: [{ name: 'x' }, { name: 'y' }, { name: 'z' }],
      workloads: [
        { namespace: 'x', name: 'web', labels: { app: 'web' }, ports, ips: ['10.0.1.1'] },
        { namespace: 'y', name: 'a', labels: { app: 'a' }, ips: ['10.0.2.1'] },
        { namespace: 'z', name: 'a', labels: { app: 'a' }, ips: ['10.0.3.1'] },
      ],
      services: [
        {
          namespace: 'x',
          name: 'web',
          selector: { app: 'web' },
          ports: [{ name: 'http-alt', port: 80, targetPort: 9090 }],
        },
      ],
      policies: docs(policies),
    },
    { assumeMesh: true },
  );
}

const GET = (path: string, host = 'web.x.svc.cluster.local:8080'): HttpRequest => ({ method: 'GET', path, host });
const POST = (path: string): HttpRequest => ({ method: 'POST', path, host: 'web.x.svc.cluster.local:8080' });

interface Row {
  readonly name: string;
  readonly policies: string;
  /** [source namespace, port, request (absent: a connection only), verdict, text the mesh line holds]. */
  readonly cells: readonly [string, number, HttpRequest | undefined, 'allow' | 'deny' | 'unknown', RegExp?][];
}

const API = ap('api', 'rules:\n- to: [{operation: {methods: [GET], paths: ["/api/*"]}}]');

const rows: Row[] = [
  {
    name: 'methods and paths in one operation must both hold (model.go New: one permission, AND of its fields)',
    policies: API,
    cells: [
      [
        'y',
        8080,
        GET('/api/x'),
        'allow',
        /allowed by AuthorizationPolicy x\/api rules\[0\] \(ALLOW; methods \[GET\], paths \[\/api\/\*\] match GET/,
      ],
      ['y', 8080, POST('/api/x'), 'deny', /methods \[GET\] does not match POST/],
      ['y', 8080, GET('/other'), 'deny', /paths \[\/api\/\*\] does not match GET/],
      ['y', 8080, GET('/api'), 'deny'],
    ],
  },
  {
    name: 'path patterns: exact, prefix*, *suffix, * (matcher/string.go StringMatcherWithPrefix)',
    policies: ap(
      'p',
      'rules:\n- to: [{operation: {paths: [/exact, "/pre*", "*.png"]}}]\n- to: [{operation: {paths: ["*"], ports: ["9090"]}}]',
    ),
    cells: [
      ['y', 8080, GET('/exact'), 'allow'],
      ['y', 8080, GET('/exact/'), 'deny'],
      ['y', 8080, GET('/prefix/deep'), 'allow'],
      ['y', 8080, GET('/img/a.png'), 'allow'],
      ['y', 8080, GET('/img/a.jpg'), 'deny'],
      ['y', 9090, GET('/anything'), 'allow'],
    ],
  },
  {
    name: 'methods compare with case (matcher/header.go HeaderMatcher: StringMatcherExact ignoreCase false)',
    policies: ap('p', 'rules:\n- to: [{operation: {methods: [get]}}]'),
    cells: [['y', 8080, GET('/'), 'deny', /methods \[get\] does not match GET/]],
  },
  {
    name: 'hosts ignore case and see the port the client sends (matcher/header.go HostMatcher: ignoreCase true)',
    policies: ap(
      'p',
      'rules:\n- to: [{operation: {hosts: ["WEB.x.svc.cluster.local:8080"]}}]\n- to: [{operation: {hosts: ["*.example.com"]}}]',
    ),
    cells: [
      ['y', 8080, GET('/'), 'allow'],
      [
        'y',
        8080,
        GET('/', 'web.x.svc.cluster.local'),
        'deny',
        /hosts \[WEB\.x\.svc\.cluster\.local:8080\] does not match/,
      ],
      ['y', 8080, GET('/', 'API.Example.COM'), 'allow'],
    ],
  },
  {
    name: 'notMethods and notPaths: a DENY rule matches what they do not list (model.go rule.permission: permissionNot)',
    policies: ap(
      'p',
      'action: DENY\nrules:\n- to: [{operation: {notMethods: [GET, HEAD]}}]\n- to: [{operation: {notPaths: ["/public/*"], methods: [GET]}}]',
    ),
    cells: [
      [
        'y',
        8080,
        POST('/public/a'),
        'deny',
        /denied by AuthorizationPolicy x\/p rules\[0\] \(DENY; notMethods \[GET, HEAD\] match POST/,
      ],
      ['y', 8080, GET('/public/a'), 'allow'],
      ['y', 8080, GET('/private'), 'deny', /rules\[1\]/],
    ],
  },
  {
    name: 'a DENY rule on a path only denies that path, and only for its sources',
    policies: ap(
      'p',
      'action: DENY\nrules:\n- from: [{source: {namespaces: [z]}}]\n  to: [{operation: {paths: ["/admin*"]}}]',
    ),
    cells: [
      ['z', 8080, GET('/admin/users'), 'deny', /denied by AuthorizationPolicy x\/p rules\[0\]/],
      ['z', 8080, GET('/home'), 'allow', /no ALLOW policy applies/],
      ['y', 8080, GET('/admin/users'), 'allow'],
    ],
  },
  {
    name: 'TCP: a DENY rule drops its HTTP fields and matches more (model.go rule.checkError ignores the error for DENY)',
    policies: ap('p', 'action: DENY\nrules:\n- to: [{operation: {paths: ["/admin*"], ports: ["9000"]}}]'),
    cells: [
      ['y', 9000, undefined, 'deny', /\(DENY; paths \[\/admin\*\] dropped on TCP\)/],
      ['y', 9001, undefined, 'allow'],
    ],
  },
  {
    name: 'TCP: an ALLOW rule with an HTTP field is skipped whole (builder.go Builder.build, model.go Generate)',
    policies: ap(
      'p',
      'rules:\n- to: [{operation: {ports: ["9000"]}}, {operation: {methods: [GET]}}]\n- to: [{operation: {ports: ["9001"]}}]',
    ),
    cells: [
      ['y', 9000, undefined, 'deny', /rules\[0\] names methods \[GET\], HTTP only: skipped on TCP: denied/],
      ['y', 9001, undefined, 'allow', /allowed by AuthorizationPolicy x\/p rules\[1\] \(ALLOW\)/],
      ['y', 8080, GET('/'), 'allow', /rules\[0\] \(ALLOW; methods \[GET\] match/],
    ],
  },
  {
    name: 'an HTTP port without a request: the verdict depends on the request the model is not given',
    policies: API,
    cells: [['y', 8080, undefined, 'unknown', /depends on the request: port 8080 of x\/web is an HTTP port/]],
  },
  {
    name: 'a request to a port not declared HTTP: Istio sniffs the protocol there, so the model does not guess',
    policies: API,
    cells: [['y', 9001, GET('/api/x'), 'unknown', /port 9001 of x\/web is not declared HTTP/]],
  },
  {
    name: 'a port is HTTP when the Service port sending to it is named http-* (Istio reads Service port names)',
    policies: API,
    cells: [
      ['y', 9090, GET('/api/x'), 'allow'],
      ['y', 9090, POST('/api/x'), 'deny'],
    ],
  },
  {
    name: 'rules without HTTP fields decide without a request, as before',
    policies: ap('p', 'rules:\n- from: [{source: {namespaces: [y]}}]'),
    cells: [
      ['y', 8080, undefined, 'allow'],
      ['z', 8080, undefined, 'deny'],
    ],
  },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const m = model(row.policies);
    for (const [ns, port, request, verdict, text] of row.cells) {
      const d = m.decide({
        from: { workload: `${ns}/a` },
        to: { workload: 'x/web' },
        port,
        ...(request ? { request } : {}),
      });
      const what = `${ns}/a → ${port} ${request ? `${request.method} ${request.path}` : '(no request)'}`;
      t.equal(d.computed, verdict, what);
      if (text) t.match(d.mesh?.explanation, text, `${what}: explained`);
    }
  });
}

t.test('the matrix agrees with decide: unknown on an HTTP port, decided on a TCP one', async (t) => {
  const m = model(API + ap('deny-db', 'action: DENY\nrules:\n- to: [{operation: {paths: ["/x"], ports: ["9000"]}}]'));
  const at = (port: number) => {
    const matrix = m.matrix(port);
    const y = matrix.workloads.findIndex((w) => w.id === 'y/a');
    const web = matrix.workloads.findIndex((w) => w.id === 'x/web');
    return matrix.computed(y, web);
  };
  t.equal(at(8080), 'unknown');
  t.equal(at(9000), 'deny');
  t.equal(at(9001), 'deny', 'the ALLOW rule names methods: skipped on TCP, so the ALLOW policy allows nothing');
  const cell = m.cells(8080)(m.workload('y/a')!, m.workload('x/web')!);
  t.equal(cell.computed, 'unknown');
});

t.test('requestPolicy: the HTTP conditions the lab compiles, the source and port already judged', async (t) => {
  const m = model(
    API +
      ap(
        'no-admin',
        'action: DENY\nrules:\n- from: [{source: {namespaces: [z]}}]\n  to: [{operation: {paths: ["/admin*"]}}]',
      ),
  );
  const at = (ns: string, port: number) =>
    m.requestPolicy({ from: { workload: `${ns}/a` }, to: { workload: 'x/web' }, port });
  t.same(at('y', 8080), {
    deny: [],
    allow: [{ ref: 'AuthorizationPolicy x/api rules[0]', fields: { methods: ['GET'], paths: ['/api/*'] } }],
  });
  t.same(at('z', 8080)?.deny, [{ ref: 'AuthorizationPolicy x/no-admin rules[0]', fields: { paths: ['/admin*'] } }]);
  t.equal(at('y', 9000), undefined, 'not an HTTP port: the connection decides');
  t.equal(model('').requestPolicy({ from: { workload: 'y/a' }, to: { workload: 'x/web' }, port: 8080 }), undefined);
});

t.test('a ReachabilityTest: http:// targets are judged as the GET the probe sends, without the query', async (t) => {
  const test = parseReachabilityTest(
    'l7.yaml',
    `apiVersion: prober/v1alpha1
kind: ReachabilityTest
metadata: {name: l7}
spec:
  sources:
    ya: {namespace: "y", selector: {app: a}}
  targets:
    api: {url: "http://web.x.svc.cluster.local/api/v1?user=1"}
    other: {url: "http://web.x.svc.cluster.local/other"}
    tcp: {url: "tcp://web.x.svc.cluster.local:80"}
    tls: {url: "https://web.x.svc.cluster.local:80/api/v1"}
  expect: fromPolicies
`,
  );
  const row = predictTest(model(API), test).get('ya')!;
  t.match(row.get('api'), { kind: 'verdict', computed: 'allow' });
  t.match(row.get('other'), { kind: 'verdict', computed: 'deny' });
  t.match(row.get('tcp'), { kind: 'unknown', reason: 'undecidable', detail: /is an HTTP port/ });
  t.match(
    row.get('tls'),
    { kind: 'unknown', reason: 'undecidable', detail: /is an HTTP port/ },
    'TLS hides the request',
  );
});
