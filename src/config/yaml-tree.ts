// Turns a parsed YAML document into plain data in one linear walk, indexing map keys for line lookups.
//
// The yaml library's own toJS is not used: it finds duplicate keys by a scan per key (quadratic in a
// map's size), prints a Node warning for a map or list used as a key, and names no line when an
// alias is unresolved or expands too much. Here each of those is a ConfigError at its own line.
// Scalars and merge keys (`<<`) are read as Kubernetes reads them, by go-yaml v2's YAML 1.1 rules.

import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { ConfigError } from './config-error.ts';
import { MAX_NESTING } from './nesting.ts';
import { keyText, type Resolved, resolvePlain } from './yaml-scalars.ts';

/** Bounds on what one document may expand to; the defaults hold any real manifest. */
export interface TreeLimits {
  /** Nodes that aliases may add beyond the document's own (a "billion laughs" file adds billions). */
  readonly aliasNodes: number;
  /** Nesting depth of maps and lists. */
  readonly depth: number;
}

/** The limits every YAML input is read with. */
const TREE_LIMITS: TreeLimits = { aliasNodes: 1_000_000, depth: MAX_NESTING };

/** The plain value of a document and the pairs of each of its maps by key, for finding lines. */
export interface PlainTree {
  readonly value: unknown;
  /** The pairs of a map node by their key as plain data spells it. */
  pairsOf(map: YAMLMap): ReadonlyMap<string, Pair> | undefined;
}

interface Anchor {
  value: unknown;
  /** Nodes the anchored value stands for, aliases inside it expanded; undefined while it is being built. */
  size: number | undefined;
}

/**
 * A scalar's value as Kubernetes reads it: a plain, untagged scalar by go-yaml v2's YAML 1.1 rules
 * (yaml-scalars.ts); a quoted or block scalar is its text; an explicitly tagged one is what the yaml
 * library's 1.1 schema makes of it.
 */
function resolveScalar(node: Scalar): Resolved {
  if (node.type === 'PLAIN' && node.tag === undefined) return resolvePlain(node.source ?? String(node.value ?? ''));
  const value = node.value;
  if (value === null || value === undefined) return { kind: 'null', value: null };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'bigint') return { kind: 'int', value: Number(value), decimal: value.toString() };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { kind: 'int', value, decimal: String(value) } : { kind: 'float', value };
  return { kind: 'str', value: value instanceof Date ? value.toISOString() : String(value) };
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** isMerge of go-yaml v2 (decode.go): a plain `<<` key, or one tagged !!merge; a quoted "<<" is a key. */
function isMergeKey(key: Node | null): boolean {
  if (!isScalar(key) || key.source !== '<<') return false;
  return (key.type === 'PLAIN' && key.tag === undefined) || key.tag === MERGE_TAG;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The maps a merge's value brings in, in the order go-yaml v2 sets them: a map (or an alias of one),
 * or a list of them written in place, last first, so the earlier map wins. Undefined for anything else.
 */
function mergedMaps(node: unknown, value: unknown): Record<string, unknown>[] | undefined {
  if (isPlainMap(value)) return [value];
  if (!isSeq(node) || !Array.isArray(value) || !value.every(isPlainMap)) return undefined;
  return [...value].reverse();
}

/** Sets a property even when the key is `__proto__`, which a plain assignment would treat as the prototype. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * Converts `contents` (a parsed document's root) to plain objects, arrays and scalars. Map keys must
 * be scalars and unique; aliases resolve to the nearest earlier anchor and may add at most
 * `limits.aliasNodes` nodes. Throws ConfigError naming `file` and the offending line.
 */
export function plainTree(
  file: string,
  contents: Node | null,
  lines: LineCounter,
  limits: TreeLimits = TREE_LIMITS,
): PlainTree {
  const pairs = new WeakMap<YAMLMap, Map<string, Pair>>();
  const anchors = new Map<string, Anchor>();
  let aliasNodes = 0;
  const lineOf = (node: Node | null | undefined): number | undefined =>
    node?.range ? lines.linePos(node.range[0]).line : undefined;
  const fail = (node: Node | null | undefined, message: string): never => {
    throw new ConfigError(file, lineOf(node), undefined, `invalid YAML: ${message}`);
  };

  /** Returns the value and how many nodes it stands for (aliases expanded). */
  const convert = (node: unknown, depth: number): { value: unknown; size: number } => {
    if (node === null || node === undefined) return { value: null, size: 1 };
    if (isAlias(node)) return resolveAlias(node);
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return fail(node as Node, 'unsupported node');
    const anchor: Anchor | undefined = node.anchor ? { value: undefined, size: undefined } : undefined;
    if (node.anchor && anchor) anchors.set(node.anchor, anchor);
    if (depth > limits.depth) fail(node, `nested more than ${limits.depth} levels deep`);
    let result: { value: unknown; size: number };
    if (isScalar(node)) {
      const { value } = resolveScalar(node);
      // sigs.k8s.io/yaml's json.Marshal fails on them: kubectl refuses the whole file.
      if (typeof value === 'number' && !Number.isFinite(value))
        fail(node, `${String(node.source ?? value)} is not a number JSON can hold (kubectl refuses it too)`);
      result = { value, size: 1 };
    } else if (isSeq(node)) {
      const list: unknown[] = [];
      if (anchor) anchor.value = list;
      let size = 1;
      for (const item of node.items) {
        const converted = convert(item, depth + 1);
        list.push(converted.value);
        size += converted.size;
      }
      result = { value: list, size };
    } else {
      const object: Record<string, unknown> = {};
      if (anchor) anchor.value = object;
      const byKey = new Map<string, Pair>();
      // Keys written in this map, for duplicates: a key a merge brought in may be written again.
      const written = new Map<string, Pair>();
      let size = 1;
      for (const pair of node.items) {
        if (!isPair(pair)) fail(node, 'unsupported map entry');
        const key = pair.key as Node | null;
        if (isMergeKey(key)) {
          const converted = convert(pair.value, depth + 1);
          const maps = mergedMaps(pair.value, converted.value);
          if (!maps)
            fail(
              key,
              'a merge (<<) needs a map or a list of maps (go-yaml: "map merge requires map or sequence of maps as the value")',
            );
          // Set where it stands, as go-yaml v2 does: it overrides the keys before it, not those after.
          for (const map of maps ?? [])
            for (const [name, value] of Object.entries(map)) {
              setKey(object, name, value);
              byKey.set(name, pair);
            }
          size += converted.size;
          continue;
        }
        if (key !== null && !isScalar(key)) {
          fail(
            key,
            `a ${isSeq(key) ? 'list' : isMap(key) ? 'map' : 'non-scalar'} cannot be a map key (write the key as text)`,
          );
        }
        const text = keyText(isScalar(key) ? resolveScalar(key) : { kind: 'null', value: null });
        if (text === undefined)
          return fail(key ?? node, 'a map key cannot be null or empty (kubectl refuses it: "unsupported map key")');
        const first = written.get(text);
        if (first)
          fail(
            key ?? node,
            `Map keys must be unique: "${text}" is already a key at line ${lineOf(first.key as Node) ?? '?'}`,
          );
        written.set(text, pair);
        byKey.set(text, pair);
        const converted = convert(pair.value, depth + 1);
        setKey(object, text, converted.value);
        size += converted.size;
      }
      pairs.set(node, byKey);
      result = { value: object, size };
    }
    if (anchor) {
      anchor.value = result.value;
      anchor.size = result.size;
    }
    return result;
  };

  const resolveAlias = (alias: Alias): { value: unknown; size: number } => {
    const anchor = anchors.get(alias.source);
    if (!anchor) return fail(alias, `alias *${alias.source} refers to no anchor before it`);
    if (anchor.size === undefined) return fail(alias, `alias *${alias.source} refers to a node that contains it`);
    aliasNodes += anchor.size;
    if (aliasNodes > limits.aliasNodes) {
      fail(
        alias,
        `aliases expand to more than ${limits.aliasNodes.toLocaleString('en-US')} nodes (a resource exhaustion attack?)`,
      );
    }
    return { value: anchor.value, size: anchor.size };
  };

  const { value } = convert(contents, 0);
  return { value, pairsOf: (map) => pairs.get(map) };
}
