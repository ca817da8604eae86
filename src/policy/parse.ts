// Reads any supported policy manifest (by apiVersion/kind) into the engine's form.
import { Fields, PolicyError } from './fields.ts';
import { isPolicyKind, kindApiVersions, kindDescriptor, POLICY_KIND_NAMES } from './kinds.ts';
import { readMetadata } from './parse-common.ts';
import type { ParseResult } from './spec.ts';
import type { PolicyInput } from './types.ts';

/** Best-effort name for messages, before the manifest is known to be well-formed. */
function displayName(manifest: unknown, defaultNamespace: string): string {
  const m = (manifest ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof m.kind === 'string' ? m.kind : 'policy';
  const name = typeof m.metadata?.name === 'string' ? m.metadata.name : '(unnamed)';
  if (typeof m.kind === 'string' && isPolicyKind(m.kind) && !kindDescriptor(m.kind).namespaced)
    return `${kind} ${name}`;
  const ns = typeof m.metadata?.namespace === 'string' ? m.metadata.namespace : defaultNamespace;
  return `${kind} ${ns}/${name}`;
}

/**
 * Parses one policy manifest. Throws PolicyError (naming the policy, the field and why) for
 * anything malformed or outside the supported subset; harmless oddities come back as warnings.
 */
export function parsePolicy(input: PolicyInput): ParseResult {
  const defaultNamespace = input.namespace ?? 'default';
  const ref = displayName(input.manifest, defaultNamespace);
  const ctx = { policy: ref, source: input.source };
  const doc = new Fields(input.manifest, [], ctx);
  const kind = doc.reqStr('kind');
  if (!isPolicyKind(kind)) {
    throw new PolicyError(ref, ['kind'], `unsupported kind (supported: ${POLICY_KIND_NAMES.join(', ')})`, input.source);
  }
  const descriptor = kindDescriptor(kind);
  const apiVersions = kindApiVersions(kind);
  const apiVersion = doc.reqStr('apiVersion');
  if (!apiVersions.includes(apiVersion)) {
    doc.fail(`unsupported apiVersion "${apiVersion}" for ${kind} (expected ${apiVersions.join(' or ')})`, 'apiVersion');
  }
  const meta = readMetadata(doc, descriptor.namespaced, defaultNamespace);
  doc.ignore('status');
  for (const [field, why] of Object.entries(descriptor.refused ?? {})) doc.reject(field, why);
  const spec = descriptor.specOptional ? (doc.obj('spec') ?? new Fields({}, ['spec'], ctx)) : doc.reqObj('spec');
  doc.done();
  const warnings: string[] = [];
  return { policy: descriptor.read(spec, { doc, meta, ref, source: input.source, warnings }), warnings };
}
