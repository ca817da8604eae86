// Public entry of the policy engine: pure functions over parsed manifests (no I/O). Modules outside
// policy/ import only this file (.dependency-cruiser.mjs, policy-through-its-index).
export { buildModel, type Model, type Query } from './model.ts';
export type { Matrix } from './matrix.ts';
export type { Workload, NamespaceInfo } from './cluster.ts';
export { NAMESPACE_NAME_LABEL } from './cluster.ts';
export { parsePolicy, POLICY_KINDS } from './parse.ts';
export { PolicyError, type FieldPath } from './fields.ts';
export { parseServiceHost, type TargetResolution, type ServiceEndpoint } from './services.ts';
export type { ParsedPolicy, ParseResult } from './spec.ts';
export * from './types.ts';
export {
  classifyObject,
  leftOutWarnings,
  parseKindFilter,
  kindMatches,
  POLICY_GROUPS,
  qualifiedKind,
  type KindFilter,
} from './groups.ts';
export { modelVerdicts, predictionOf, predictTest, type Prediction } from './predict.ts';
export { SimulatedBackend } from './simulated-backend.ts';
export { lint, withDnsServer } from './lint/index.ts';
export { isAddress } from './cidr.ts';
