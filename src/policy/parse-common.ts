// Readers shared by the policy kinds: protocols, port numbers and names, CIDR blocks.
import { type CidrBlock, makeCidrBlock } from './cidr.ts';
import type { Fields } from './fields.ts';
import { PROTOCOLS, type Protocol } from './types.ts';

/** Reads a protocol field; `fallback` when absent. */
export function readProtocol(fields: Fields, key: string, fallback: Protocol): Protocol {
  const value = fields.str(key);
  if (value === undefined) return fallback;
  if (!PROTOCOLS.includes(value as Protocol)) {
    fields.fail(`unsupported protocol "${value}" (expected ${PROTOCOLS.join(', ')})`, key);
  }
  return value as Protocol;
}

/** Checks a port number is within 1–65535. */
export function checkPortNumber(fields: Fields, key: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) fields.fail(`port ${value} is not within 1-65535`, key);
  return value;
}

/**
 * Checks a port name the way the API does (IANA service name: at most 15 characters of
 * lowercase letters, digits and '-', with at least one letter), so "80" given as a string is
 * caught rather than treated as a name no pod has.
 */
export function checkPortName(fields: Fields, key: string, name: string): string {
  const ok =
    name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--');
  if (!ok) {
    fields.fail(
      `"${name}" is neither a port number nor a valid port name (a name has 1-15 lowercase letters, digits or '-', with at least one letter)`,
      key,
    );
  }
  return name;
}

/** Reads an int-or-string port: a number, or a name. */
export function readPortRef(fields: Fields, key: string): number | string | undefined {
  const value = fields.raw(key);
  if (value === undefined) return undefined;
  if (typeof value === 'number') return checkPortNumber(fields, key, value);
  if (typeof value === 'string') return checkPortName(fields, key, value);
  return fields.fail(`expected a port number or name, found ${JSON.stringify(value)}`, key);
}

/** Builds a CIDR block or fails on the given key. */
export function readBlock(fields: Fields, key: string, cidr: string, except: readonly string[]): CidrBlock {
  const block = makeCidrBlock(cidr, except);
  if (typeof block === 'string') fields.fail(block, key);
  return block;
}

/** Reads `metadata`: name (required), namespace (`defaultNamespace` for namespaced kinds without one). */
export function readMetadata(
  doc: Fields,
  namespaced: boolean,
  defaultNamespace: string,
): { name: string; namespace: string } {
  const meta = doc.reqObj('metadata');
  const name = meta.reqStr('name');
  const namespace = meta.str('namespace');
  // Everything else in metadata (labels, annotations, uid …) cannot change a verdict.
  meta.ignore(...meta.keys());
  if (!namespaced && namespace !== undefined)
    meta.fail('this kind is cluster-scoped and has no namespace', 'namespace');
  return { name, namespace: namespace ?? defaultNamespace };
}
