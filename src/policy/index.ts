// Public entry of the policy engine: pure functions over parsed manifests (no I/O).
export { buildModel, type Model, type Query } from './model.ts';
export type { Matrix } from './matrix.ts';
export type { Workload, NamespaceInfo } from './cluster.ts';
export { NAMESPACE_NAME_LABEL } from './cluster.ts';
export { parsePolicy } from './parse.ts';
export {
  isPolicyKind,
  kindApiVersions,
  kindDescriptor,
  POLICY_KIND_NAMES,
  type KindDescriptor,
  type PolicyKind,
} from './kinds.ts';
export { PolicyError, type FieldPath } from './fields.ts';
export { parseServiceHost, type TargetResolution, type ServiceEndpoint } from './services.ts';
export type { ParsedPolicy, ParseResult } from './spec.ts';
export * from './types.ts';
export { classifyObject, parseKindFilter, kindMatches, qualifiedKind, type KindFilter } from './groups.ts';
export { isAddress } from './cidr.ts';
