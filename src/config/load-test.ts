// Loads a ReachabilityTest file: YAML with positions, schema check, then the checks a schema cannot express.

import { dirname, resolve } from 'node:path';
import { formatDuration, parseDuration, parseSettle, PROBE_TIMEOUT } from '../model/duration.ts';
import { familiesOf, familyTargetName } from '../model/family.ts';
import { quoteName } from '../model/k8s-names.ts';
import { someNames } from '../model/names.ts';
import { findConflicts, ruleLabel, unmatchedSide } from '../model/rules.ts';
import { dnsAddressOf, parseTarget } from '../model/target.ts';
import { recordTypeOf, typeFamilyConflict } from '../model/dns-query.ts';
import { payloadHex } from '../model/udp-payload.ts';
import {
  DEFAULTS,
  MAX_TEST_BYTES,
  type ExpectRule,
  type FromPolicies,
  type ReachabilityTest,
  type SourceSpec,
  type StatusSet,
  type TargetSpec,
  ruleTargetName,
} from '../model/test-spec.ts';
import { ConfigError } from './config-error.ts';
import { checkSchema } from './schema-check.ts';
import type { TestDocument } from './schemas.ts';
import { validateTest } from './validators.ts';
import { readText } from './read-input.ts';
import { parseSingleYaml, type PositionedDocument } from './yaml-file.ts';

const HINTS = {
  expect: 'must be a list of rules ({from, to, verdict}) or the word "fromPolicies"',
  expectStatus: 'must be a status (200), a class ("2xx") or a list of them',
  denyStatus: 'must be a status (403), a class ("4xx") or a list of them',
  settle: 'must be a duration shorter than the timeout (200ms, 1s) or 0 to turn the window off',
};

/**
 * A NetworkPolicy or a Deployment passed as a test (`check -f policy.yaml`) is the usual first-hour
 * mistake: say what the file is and where it belongs, not which of its fields a test lacks.
 */
function checkKubernetesObject(doc: PositionedDocument): void {
  const value = doc.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  const { apiVersion, kind } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || kind === 'ReachabilityTest') return;
  if (typeof apiVersion !== 'string' || apiVersion.startsWith('prober/')) return;
  throw new ConfigError(
    doc.file,
    doc.lineOf(['kind']),
    'kind',
    `must be "ReachabilityTest", not ${quoteName(kind)} (a Kubernetes object: policies and workloads go to prober simulate -f or prober lint -f)`,
  );
}

/** Reads and validates a ReachabilityTest file, or stdin for `-`. Throws ConfigError (file:line: field: message). */
export async function loadReachabilityTest(file: string): Promise<ReachabilityTest> {
  const { origin, text } = await readText(file, { bytes: MAX_TEST_BYTES, what: 'a test file' });
  return parseReachabilityTest(origin, text);
}

/** Validates ReachabilityTest text; `file` is used for messages and to resolve relative paths. */
export function parseReachabilityTest(file: string, text: string): ReachabilityTest {
  const doc = parseSingleYaml(file, text);
  checkKubernetesObject(doc);
  checkSchema(doc, validateTest, HINTS);
  const raw = doc.value as TestDocument;
  const origin = (path: (string | number)[]) => ({ file, line: doc.lineOf(path) ?? 1 });
  const fail = (path: (string | number)[], field: string, message: string): never => {
    throw new ConfigError(file, doc.lineOf(path), field, message);
  };

  const defaults = {
    timeoutMs: raw.spec.defaults?.timeout
      ? durationAt(doc, ['spec', 'defaults', 'timeout'], raw.spec.defaults.timeout)
      : DEFAULTS.timeoutMs,
    attempts: raw.spec.defaults?.attempts ?? DEFAULTS.attempts,
    concurrency: raw.spec.defaults?.concurrency ?? DEFAULTS.concurrency,
    ...(raw.spec.defaults?.settle !== undefined
      ? { settleMs: settleAt(doc, ['spec', 'defaults', 'settle'], raw.spec.defaults.settle) }
      : {}),
  };
  checkSettle(doc, ['spec', 'defaults', 'settle'], defaults.settleMs, defaults.timeoutMs, 'the probe timeout');

  const sources: SourceSpec[] = Object.entries(raw.spec.sources).map(([name, s]) => {
    const path = ['spec', 'sources', name];
    if (s.local && (s.namespace || s.selector))
      fail(path, `spec.sources.${name}`, 'a local source cannot also name a namespace or selector');
    // A selector without a namespace is completed by `prober run` (-n, else the kubeconfig's namespace).
    if (!s.local && !s.namespace && !s.selector)
      fail(path, `spec.sources.${name}`, 'needs a namespace and/or a selector, or local: true');
    return {
      name,
      local: s.local === true,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      ...(s.selector ? { selector: s.selector } : {}),
      origin: origin(path),
    };
  });

  const targets: TargetSpec[] = Object.entries(raw.spec.targets).flatMap(([name, t]) => {
    const path = ['spec', 'targets', name];
    const parsed = parseTarget(t.url);
    if (!parsed.ok) return fail([...path, 'url'], `spec.targets.${name}.url`, parsed.error);
    const isHttp = parsed.value.scheme === 'http' || parsed.value.scheme === 'https';
    for (const key of ['expectStatus', 'denyStatus'] as const) {
      if (t[key] !== undefined && !isHttp)
        fail(
          [...path, key],
          `spec.targets.${name}.${key}`,
          `only applies to http(s) targets, not ${parsed.value.scheme}://`,
        );
    }
    const timeoutMs = t.timeout ? durationAt(doc, [...path, 'timeout'], t.timeout) : undefined;
    const settleMs = t.settle !== undefined ? settleAt(doc, [...path, 'settle'], t.settle) : undefined;
    if (settleMs !== undefined && parsed.value.scheme !== 'tcp')
      fail(
        [...path, 'settle'],
        `spec.targets.${name}.settle`,
        `only applies to tcp:// targets; ${parsed.value.scheme}:// probes judge their own exchange`,
      );
    if (settleMs !== undefined)
      checkSettle(doc, [...path, 'settle'], settleMs, timeoutMs ?? defaults.timeoutMs, 'its probe timeout');
    else if (timeoutMs !== undefined && parsed.value.scheme === 'tcp' && defaults.settleMs)
      checkSettle(doc, [...path, 'timeout'], defaults.settleMs, timeoutMs, 'this timeout', 'spec.defaults.settle');
    const payload = payloadHex({ text: t.payload, hex: t.payloadHex });
    const payloadField = t.payloadHex !== undefined ? 'payloadHex' : 'payload';
    if (payload && parsed.value.scheme !== 'udp')
      fail(
        [...path, payloadField],
        `spec.targets.${name}.${payloadField}`,
        `only applies to udp targets, not ${parsed.value.scheme}://`,
      );
    if (payload && !payload.ok) fail([...path, payloadField], `spec.targets.${name}.${payloadField}`, payload.error);
    const target: TargetSpec = {
      name,
      address: parsed.value,
      liveness: t.liveness ?? 'auto',
      ...(payload?.ok ? { payloadHex: payload.hex } : {}),
      ...(t.expectStatus !== undefined ? { expectStatus: asList(t.expectStatus) } : {}),
      ...(t.denyStatus !== undefined ? { denyStatus: asList(t.denyStatus) } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(settleMs !== undefined ? { settleMs } : {}),
      origin: origin(path),
    };
    if (t.family === undefined) return [target];
    const query = parsed.value.dns;
    const conflict = query && typeFamilyConflict(query, t.family);
    if (conflict) fail([...path, 'family'], `spec.targets.${name}.family`, conflict);
    // One column per family asked for, each named for its family; rules keep naming the target as written.
    return familiesOf(t.family).map((family) => ({
      ...target,
      // A dns:// target's family is the record it asks for, written into its URL so the cell can be repeated.
      ...(query ? { address: dnsAddressOf(parsed.value, { ...query, type: recordTypeOf(family) }) } : {}),
      name: familyTargetName(name, family),
      family,
      written: name,
    }));
  });

  const rules: ExpectRule[] =
    raw.spec.expect === 'fromPolicies'
      ? []
      : raw.spec.expect.map((r, i) => ({
          ...(r.name ? { name: r.name } : {}),
          from: r.from,
          to: r.to,
          verdict: r.verdict,
          origin: origin(['spec', 'expect', i]),
        }));
  checkRules(doc, rules, sources, targets);

  const base = dirname(resolve(file));
  const fromPolicies: FromPolicies | undefined = raw.spec.fromPolicies && {
    policies: raw.spec.fromPolicies.policies.map((p) => resolve(base, p)),
    workloads: (raw.spec.fromPolicies.workloads ?? []).map((p) => resolve(base, p)),
  };
  return {
    name: raw.metadata.name,
    file,
    defaults,
    sources,
    targets,
    rules,
    expectFromPolicies: raw.spec.expect === 'fromPolicies',
    ...(fromPolicies ? { fromPolicies } : {}),
  };
}

function checkRules(
  doc: PositionedDocument,
  rules: readonly ExpectRule[],
  sources: readonly SourceSpec[],
  targets: readonly TargetSpec[],
): void {
  const sourceNames = sources.map((s) => s.name);
  const targetNames = [...new Set(targets.map(ruleTargetName))];
  rules.forEach((rule, i) => {
    const side = unmatchedSide(rule, sourceNames, targetNames);
    if (side) {
      const known = someNames(side === 'from' ? sourceNames : targetNames);
      throw new ConfigError(
        doc.file,
        doc.lineOf(['spec', 'expect', i, side]),
        `spec.expect[${i}].${side}`,
        `"${rule[side]}" matches no ${side === 'from' ? 'source' : 'target'} (known: ${known})`,
      );
    }
  });
  const [conflict] = findConflicts(rules, sourceNames, targetNames);
  if (conflict) {
    const line = conflict.second.origin?.line;
    throw new ConfigError(
      doc.file,
      line,
      'spec.expect',
      `rules "${ruleLabel(conflict.first)}" (line ${conflict.first.origin?.line}) and "${ruleLabel(conflict.second)}" are equally specific and disagree on ${conflict.from} → ${conflict.to}; make one more specific`,
    );
  }
}

function durationAt(doc: PositionedDocument, path: (string | number)[], text: string): number {
  const parsed = parseDuration(text, PROBE_TIMEOUT);
  if (!parsed.ok) throw new ConfigError(doc.file, doc.lineOf(path), path.join('.'), parsed.error);
  return parsed.ms;
}

function settleAt(doc: PositionedDocument, path: (string | number)[], value: string | number): number {
  const parsed = parseSettle(String(value));
  if (!parsed.ok) throw new ConfigError(doc.file, doc.lineOf(path), path.join('.'), parsed.error);
  return parsed.ms;
}

/**
 * A settle window must end before the probe's timeout, or a silent peer and a deadline could not be told
 * apart. `path` is the field reported; `from` names the window's field when it is not that one.
 */
function checkSettle(
  doc: PositionedDocument,
  path: (string | number)[],
  settleMs: number | undefined,
  timeoutMs: number,
  timeoutName: string,
  from?: string,
): void {
  if (!settleMs || settleMs < timeoutMs) return;
  const window = `the settle window ${formatDuration(settleMs)}${from ? ` (${from})` : ''}`;
  throw new ConfigError(
    doc.file,
    doc.lineOf(path),
    path.join('.'),
    `${window} must be shorter than ${timeoutName} ${formatDuration(timeoutMs)} (${from ? 'give the target a settle of its own' : 'or 0 to turn it off'})`,
  );
}

function asList(value: StatusSet[number] | StatusSet): StatusSet {
  return Array.isArray(value) ? value : [value as StatusSet[number]];
}
