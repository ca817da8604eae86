// Reads any supported policy manifest (by apiVersion/kind) into the engine's form.
import { readAdminPolicy } from './admin.ts';
import { readCiliumPolicy } from './cilium.ts';
import { readClusterNetworkPolicy } from './cnp.ts';
import { Fields, PolicyError } from './fields.ts';
import { readAuthorizationPolicy, readPeerAuthentication } from './istio.ts';
import { readNetworkPolicy } from './networkpolicy.ts';
import { readMetadata } from './parse-common.ts';
import type { ParseResult } from './spec.ts';
import type { PolicyInput } from './types.ts';

/** Supported kinds with their accepted apiVersions and scope. */
export const POLICY_KINDS: Readonly<
  Record<string, { readonly apiVersions: readonly string[]; readonly namespaced: boolean }>
> = {
  NetworkPolicy: { apiVersions: ['networking.k8s.io/v1'], namespaced: true },
  AdminNetworkPolicy: { apiVersions: ['policy.networking.k8s.io/v1alpha1'], namespaced: false },
  BaselineAdminNetworkPolicy: { apiVersions: ['policy.networking.k8s.io/v1alpha1'], namespaced: false },
  ClusterNetworkPolicy: { apiVersions: ['policy.networking.k8s.io/v1alpha2'], namespaced: false },
  CiliumNetworkPolicy: { apiVersions: ['cilium.io/v2'], namespaced: true },
  CiliumClusterwideNetworkPolicy: { apiVersions: ['cilium.io/v2'], namespaced: false },
  AuthorizationPolicy: { apiVersions: ['security.istio.io/v1', 'security.istio.io/v1beta1'], namespaced: true },
  PeerAuthentication: { apiVersions: ['security.istio.io/v1', 'security.istio.io/v1beta1'], namespaced: true },
};

/** Best-effort name for messages, before the manifest is known to be well-formed. */
function displayName(manifest: unknown, defaultNamespace: string): string {
  const m = (manifest ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof m.kind === 'string' ? m.kind : 'policy';
  const name = typeof m.metadata?.name === 'string' ? m.metadata.name : '(unnamed)';
  const info = typeof m.kind === 'string' ? POLICY_KINDS[m.kind] : undefined;
  if (info && !info.namespaced) return `${kind} ${name}`;
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
  const info = POLICY_KINDS[kind];
  if (!info) {
    throw new PolicyError(
      ref,
      ['kind'],
      `unsupported kind (supported: ${Object.keys(POLICY_KINDS).join(', ')})`,
      input.source,
    );
  }
  const apiVersion = doc.reqStr('apiVersion');
  if (!info.apiVersions.includes(apiVersion)) {
    doc.fail(
      `unsupported apiVersion "${apiVersion}" for ${kind} (expected ${info.apiVersions.join(' or ')})`,
      'apiVersion',
    );
  }
  const meta = readMetadata(doc, info.namespaced, defaultNamespace);
  doc.ignore('status');
  if (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy') {
    doc.reject('specs', 'a list of specs is outside the supported subset; write one policy per spec');
  }
  // A NetworkPolicy's spec is optional: absent, it is an empty selector with no rules (deny all ingress).
  const spec = kind === 'NetworkPolicy' ? (doc.obj('spec') ?? new Fields({}, ['spec'], ctx)) : doc.reqObj('spec');
  doc.done();
  const warnings: string[] = [];
  const source = input.source;
  switch (kind) {
    case 'NetworkPolicy':
      return { policy: readNetworkPolicy(spec, meta, ref, source, warnings), warnings };
    case 'AdminNetworkPolicy':
      return { policy: readAdminPolicy(spec, 'admin', ref, source), warnings };
    case 'BaselineAdminNetworkPolicy':
      // The API only admits the singleton named "default".
      if (meta.name !== 'default') doc.fail('a BaselineAdminNetworkPolicy must be named "default"', 'metadata');
      return { policy: readAdminPolicy(spec, 'baseline', ref, source), warnings };
    case 'ClusterNetworkPolicy':
      return { policy: readClusterNetworkPolicy(spec, ref, source), warnings };
    case 'CiliumNetworkPolicy':
      return { policy: readCiliumPolicy(spec, meta.namespace, ref, source), warnings };
    case 'CiliumClusterwideNetworkPolicy':
      return { policy: readCiliumPolicy(spec, undefined, ref, source), warnings };
    case 'AuthorizationPolicy':
      return { policy: readAuthorizationPolicy(spec, meta.namespace, ref, source), warnings };
    case 'PeerAuthentication':
      return { policy: readPeerAuthentication(spec, meta.namespace, ref, source), warnings };
    default:
      throw new PolicyError(ref, ['kind'], 'unsupported kind', source);
  }
}
