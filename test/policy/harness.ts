// Shared fixture for policy tests: 3 namespaces × 3 pods, inline YAML policies, truth tables.

import type { Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import {
  buildModel,
  type Model,
  type ModelOptions,
  type PolicyInput,
  type Protocol,
  type WorkloadInput,
} from '../../src/policy/index.ts';

/** `text` indented two spaces, to nest a YAML block under a key. */
export const indent = (text: string): string =>
  text
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

/** A NetworkPolicy document in namespace `ns` with `spec` (YAML) as its spec. */
export const np = (ns: string, name: string, spec: string): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${indent(spec)}\n---\n`;

export const NAMESPACES = ['x', 'y', 'z'] as const;
export const PODS = ['a', 'b', 'c'] as const;

/** Pod IPs: 10.0.<ns>.<pod>, x=1 y=2 z=3, a=1 b=2 c=3. */
export function podIp(ns: string, pod: string): string {
  return `10.0.${NAMESPACES.indexOf(ns as never) + 1}.${PODS.indexOf(pod as never) + 1}`;
}

/** Every pod serves 80 and 81 over TCP, UDP and SCTP, with names like serve-80-tcp. */
export function topologyWorkloads(): WorkloadInput[] {
  return NAMESPACES.flatMap((ns) =>
    PODS.map((pod) => ({
      namespace: ns,
      name: pod,
      labels: { pod },
      ips: [podIp(ns, pod)],
      ports: (['TCP', 'UDP', 'SCTP'] as const).flatMap((protocol) =>
        [80, 81].map((port) => ({ port, protocol, name: `serve-${port}-${protocol.toLowerCase()}` })),
      ),
    })),
  );
}

/** Parses multi-document YAML into policy inputs (documents named doc#N). */
export function docs(text: string): PolicyInput[] {
  return parseAllDocuments(text)
    .map((doc, i) => ({ manifest: doc.toJS() as unknown, source: `inline#${i + 1}` }))
    .filter((d) => d.manifest !== null && d.manifest !== undefined);
}

/** The topology with the given policies. */
export function topologyModel(
  policies: string,
  options: ModelOptions = {},
  extraNamespaceLabels: Record<string, Record<string, string>> = {},
): Model {
  return buildModel(
    {
      namespaces: NAMESPACES.map((name) => ({ name, labels: { ns: name, ...extraNamespaceLabels[name] } })),
      workloads: topologyWorkloads(),
      policies: docs(policies),
    },
    options,
  );
}

/** `allow x/* -> y/a` style lines; later lines win; `*` and globs on either side. */
export type Expectation = readonly string[];

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Expected verdict of a cell from the expectation lines. */
export function expected(lines: Expectation, from: string, to: string): 'allow' | 'deny' {
  let verdict: 'allow' | 'deny' | undefined;
  for (const line of lines) {
    const m = /^(allow|deny)\s+(\S+)\s*->\s*(\S+)$/.exec(line.trim());
    if (!m) throw new Error(`bad expectation line "${line}"`);
    if (glob(m[2]!).test(from) && glob(m[3]!).test(to)) verdict = m[1] as 'allow' | 'deny';
  }
  if (!verdict) throw new Error(`no expectation line covers ${from} -> ${to}`);
  return verdict;
}

/** One table row: policies, a port, and the expected truth table. */
export interface Row {
  readonly name: string;
  readonly policies: string;
  readonly port?: number;
  readonly protocol?: Protocol;
  readonly expect: Expectation;
  readonly options?: ModelOptions;
  readonly namespaceLabels?: Record<string, Record<string, string>>;
}

/**
 * Checks the whole matrix of a model against the expectation, lists the cells that differ,
 * and checks decide() agrees with matrix() on every cell and explains itself.
 */
export function checkMatrix(t: Test, model: Model, lines: Expectation, port: number, protocol: Protocol): void {
  const m = model.matrix(port, protocol);
  const wrong: string[] = [];
  const disagree: string[] = [];
  for (const [i, from] of m.workloads.entries()) {
    for (const [j, to] of m.workloads.entries()) {
      const want = expected(lines, from.id, to.id);
      const got = m.computed(i, j);
      if (got !== want) wrong.push(`${from.id} -> ${to.id}: expected ${want}, got ${got}`);
      if (i === j && m.verdict(i, j) !== 'loopback') wrong.push(`${from.id} -> itself is not loopback`);
      const d = model.decide({ from: { workload: from.id }, to: { workload: to.id }, port, protocol });
      if (d.computed !== got)
        disagree.push(
          `${from.id} -> ${to.id}: decide says ${d.computed}, matrix ${got}\n  ${d.explanation.join('\n  ')}`,
        );
      if (d.explanation.length < 3) disagree.push(`${from.id} -> ${to.id}: explanation too short`);
    }
  }
  t.same(wrong, [], `matrix ${port}/${protocol} matches the expectation`);
  t.same(disagree, [], `decide() agrees with matrix() on ${port}/${protocol}`);
}

/** Runs table rows as subtests. */
export function runRows(t: Test, rows: readonly Row[]): void {
  for (const row of rows) {
    t.test(row.name, (tt) => {
      const model = topologyModel(row.policies, row.options, row.namespaceLabels);
      checkMatrix(tt, model, row.expect, row.port ?? 80, row.protocol ?? 'TCP');
      tt.end();
    });
  }
}
