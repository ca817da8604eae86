// Loads a ReachabilityTest file: YAML with positions, schema check, then the checks a schema cannot express.

import { dirname, resolve } from 'node:path';
import { recordTypeOf, typeFamilyConflict } from '../model/dns-query.ts';
import { formatDuration, PROBE_TIMEOUT, parseDuration, parseSettle } from '../model/duration.ts';
import { type FamilyChoice, familiesOf, familyTargetName } from '../model/family.ts';
import type { InputStream } from '../model/io.ts';
import { quoteName } from '../model/k8s-names.ts';
import { someNames } from '../model/names.ts';
import { findConflicts, ruleLabel, unmatchedSide } from '../model/rules.ts';
import { optionRefusal, type Scheme, type TargetOption, takesOption } from '../model/schemes.ts';
import { dnsAddressOf, parseTarget } from '../model/target.ts';
import {
  DEFAULTS,
  type ExpectRule,
  type FromPolicies,
  MAX_TEST_BYTES,
  type ReachabilityTest,
  type RunDefaults,
  ruleTargetName,
  type SourceSpec,
  type StatusSet,
  type TargetSpec,
} from '../model/test-spec.ts';
import { payloadHex } from '../model/udp-payload.ts';
import { ConfigError } from './config-error.ts';
import { readChecks } from './load-checks.ts';
import { readText } from './read-input.ts';
import { checkSchema } from './schema-check.ts';
import type { TestDocument } from './schemas.ts';
import { validateTest } from './validators.ts';
import { type PositionedDocument, parseSingleYaml } from './yaml-file.ts';

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
  if (typeof apiVersion !== 'string' || apiVersion.startsWith('prober/') || apiVersion.startsWith('prober.dev/'))
    return;
  throw new ConfigError(
    doc.file,
    doc.lineOf(['kind']),
    'kind',
    `must be "ReachabilityTest", not ${quoteName(kind)} (a Kubernetes object: policies and workloads go to prober simulate -f or prober lint -f)`,
  );
}

/**
 * Reads and validates a ReachabilityTest file, or `input.stdin` for `-` (read only then: Node opens its
 * stdin stream on first use). Throws ConfigError (file:line: field: message).
 */
export async function loadReachabilityTest(
  file: string,
  input: { readonly stdin: InputStream },
): Promise<ReachabilityTest> {
  const { origin, text } = await readText(file, { bytes: MAX_TEST_BYTES, what: 'a test file' }, input);
  return parseReachabilityTest(origin, text);
}

/** Validates ReachabilityTest text; `file` is used for messages and to resolve relative paths. */
export function parseReachabilityTest(file: string, text: string): ReachabilityTest {
  const doc = parseSingleYaml(file, text);
  checkKubernetesObject(doc);
  checkSchema(doc, validateTest, HINTS);
  const raw = doc.value as TestDocument;
  const defaults = readDefaults(doc, raw.spec.defaults);
  const sources = Object.entries(raw.spec.sources).map(([name, s]) => readSource(doc, name, s));
  const targets = Object.entries(raw.spec.targets).flatMap(([name, t]) => readTarget(doc, name, t, defaults));
  const rules = readRules(doc, raw.spec.expect);
  checkRules(doc, rules, sources, targets);
  const fromPolicies = readFromPolicies(file, raw.spec.fromPolicies);
  const checks = readChecks(doc, raw.spec.checks, sources, targets, defaults);
  return {
    name: raw.metadata.name,
    file,
    defaults,
    sources,
    targets,
    rules,
    expectFromPolicies: raw.spec.expect === 'fromPolicies',
    ...(fromPolicies ? { fromPolicies } : {}),
    ...(checks.length > 0 ? { checks } : {}),
  };
}

type Spec = TestDocument['spec'];
type Path = (string | number)[];

/** Where a path of the document is, for a spec's `origin`. */
function originOf(doc: PositionedDocument, path: Path): { file: string; line: number } {
  return { file: doc.file, line: doc.lineOf(path) ?? 1 };
}

function fail(doc: PositionedDocument, path: Path, field: string, message: string): never {
  throw new ConfigError(doc.file, doc.lineOf(path), field, message);
}

/** `spec.defaults` with every unset field filled in; a settle window must end before the timeout. */
function readDefaults(doc: PositionedDocument, raw: Spec['defaults']): RunDefaults {
  const defaults = {
    timeoutMs: raw?.timeout ? durationAt(doc, ['spec', 'defaults', 'timeout'], raw.timeout) : DEFAULTS.timeoutMs,
    attempts: raw?.attempts ?? DEFAULTS.attempts,
    concurrency: raw?.concurrency ?? DEFAULTS.concurrency,
    ...(raw?.settle !== undefined ? { settleMs: settleAt(doc, ['spec', 'defaults', 'settle'], raw.settle) } : {}),
  };
  checkSettle(doc, ['spec', 'defaults', 'settle'], defaults.settleMs, defaults.timeoutMs, 'the probe timeout');
  return defaults;
}

/** One of `spec.sources`: local, or a namespace and/or selector. */
function readSource(doc: PositionedDocument, name: string, s: Spec['sources'][string]): SourceSpec {
  const path = ['spec', 'sources', name];
  if (s.local && (s.namespace || s.selector))
    fail(doc, path, `spec.sources.${name}`, 'a local source cannot also name a namespace or selector');
  // A selector without a namespace is completed by `prober run` (-n, else the kubeconfig's namespace).
  if (!s.local && !s.namespace && !s.selector)
    fail(doc, path, `spec.sources.${name}`, 'needs a namespace and/or a selector, or local: true');
  return {
    name,
    local: s.local === true,
    ...(s.namespace ? { namespace: s.namespace } : {}),
    ...(s.selector ? { selector: s.selector } : {}),
    origin: originOf(doc, path),
  };
}

type RawTarget = Spec['targets'][string];

/** One of `spec.targets`: one target, or one per IP family when it names `family: both`. */
function readTarget(doc: PositionedDocument, name: string, t: RawTarget, defaults: RunDefaults): TargetSpec[] {
  const path = ['spec', 'targets', name];
  const parsed = parseTarget(t.url);
  if (!parsed.ok) return fail(doc, [...path, 'url'], `spec.targets.${name}.url`, parsed.error);
  const { scheme } = parsed.value;
  const payloadField = t.payloadHex !== undefined ? 'payloadHex' : 'payload';
  checkOptions(doc, path, name, scheme, [
    ['expectStatus', 'expectStatus', t.expectStatus !== undefined],
    ['denyStatus', 'denyStatus', t.denyStatus !== undefined],
  ]);
  const { timeoutMs, settleMs } = readTiming(doc, path, name, scheme, t, defaults);
  const payload = payloadHex({ text: t.payload, hex: t.payloadHex });
  checkOptions(doc, path, name, scheme, [['payload', payloadField, payload !== undefined]]);
  if (payload && !payload.ok) fail(doc, [...path, payloadField], `spec.targets.${name}.${payloadField}`, payload.error);
  const target: TargetSpec = {
    name,
    address: parsed.value,
    liveness: t.liveness ?? 'auto',
    ...(payload?.ok ? { payloadHex: payload.hex } : {}),
    ...(t.expectStatus !== undefined ? { expectStatus: asList(t.expectStatus) } : {}),
    ...(t.denyStatus !== undefined ? { denyStatus: asList(t.denyStatus) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(settleMs !== undefined ? { settleMs } : {}),
    origin: originOf(doc, path),
  };
  return t.family === undefined ? [target] : perFamily(doc, path, target, t.family);
}

/** A target's own timeout and settle window; either must leave room for the window that applies. */
function readTiming(
  doc: PositionedDocument,
  path: Path,
  name: string,
  scheme: Scheme,
  t: RawTarget,
  defaults: RunDefaults,
): { timeoutMs: number | undefined; settleMs: number | undefined } {
  const timeoutMs = t.timeout ? durationAt(doc, [...path, 'timeout'], t.timeout) : undefined;
  const settleMs = t.settle !== undefined ? settleAt(doc, [...path, 'settle'], t.settle) : undefined;
  checkOptions(doc, path, name, scheme, [['settle', 'settle', settleMs !== undefined]]);
  if (settleMs !== undefined)
    checkSettle(doc, [...path, 'settle'], settleMs, timeoutMs ?? defaults.timeoutMs, 'its probe timeout');
  // The default window applies only where the scheme takes one: only there must this timeout outlast it.
  else if (timeoutMs !== undefined && takesOption(scheme, 'settle') && defaults.settleMs)
    checkSettle(doc, [...path, 'timeout'], defaults.settleMs, timeoutMs, 'this timeout', 'spec.defaults.settle');
  return { timeoutMs, settleMs };
}

/** Refuses each written option (`[option, field, written]`) that the target's scheme does not take. */
function checkOptions(
  doc: PositionedDocument,
  path: Path,
  name: string,
  scheme: Scheme,
  options: readonly [TargetOption, string, boolean][],
): void {
  for (const [option, field, isWritten] of options) {
    const refusal = isWritten ? optionRefusal(option, scheme) : undefined;
    if (refusal) fail(doc, [...path, field], `spec.targets.${name}.${field}`, refusal);
  }
}

/** A target that names a family: one column per family asked for, each named for its family. */
function perFamily(doc: PositionedDocument, path: Path, target: TargetSpec, family: FamilyChoice): TargetSpec[] {
  const query = target.address.dns;
  const conflict = query && typeFamilyConflict(query, family);
  if (conflict) fail(doc, [...path, 'family'], `spec.targets.${target.name}.family`, conflict);
  // Rules keep naming the target as written.
  return familiesOf(family).map((one) => ({
    ...target,
    // A dns:// target's family is the record it asks for, written into its URL so the cell can be repeated.
    ...(query ? { address: dnsAddressOf(target.address, { ...query, type: recordTypeOf(one) }) } : {}),
    name: familyTargetName(target.name, one),
    family: one,
    written: target.name,
  }));
}

/** `spec.expect`: its rules, or none when the expectation comes from the policies. */
function readRules(doc: PositionedDocument, expect: Spec['expect']): ExpectRule[] {
  if (expect === 'fromPolicies') return [];
  return expect.map((r, i) => ({
    ...(r.name ? { name: r.name } : {}),
    from: r.from,
    to: r.to,
    verdict: r.verdict,
    origin: originOf(doc, ['spec', 'expect', i]),
  }));
}

/** `spec.fromPolicies`, its paths resolved against the test file's directory. */
function readFromPolicies(file: string, raw: Spec['fromPolicies']): FromPolicies | undefined {
  if (!raw) return undefined;
  const base = dirname(resolve(file));
  return {
    policies: raw.policies.map((p) => resolve(base, p)),
    workloads: (raw.workloads ?? []).map((p) => resolve(base, p)),
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
