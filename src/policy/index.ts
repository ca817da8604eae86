// Public entry of the policy engine: pure functions over parsed manifests (no I/O). Modules outside
// policy/ import only this file (.dependency-cruiser.mjs, policy-through-its-index).

export { isAddress } from './cidr.ts';
export type { Workload } from './cluster.ts';
export { NAMESPACE_NAME_LABEL } from './cluster.ts';
export { PolicyError } from './fields.ts';
export {
  classifyObject,
  type KindFilter,
  kindMatches,
  leftOutWarnings,
  POLICY_GROUPS,
  parseKindFilter,
  qualifiedKind,
} from './groups.ts';
export { isHttpPortName } from './http-match.ts';
export {
  isPolicyKind,
  kindApiVersions,
  kindDescriptor,
  POLICY_KIND_NAMES,
  type PolicyKind,
} from './kinds.ts';
export { lint, withDnsServer } from './lint/index.ts';
export type { Matrix } from './matrix.ts';
export { migrateAdminPolicy } from './migrate.ts';
export { buildModel, type Model } from './model.ts';
export { usesNodePeers } from './nodes.ts';
export { parsePolicy } from './parse.ts';
export { predictTest } from './predict.ts';
export { modelVerdicts, type Prediction, predictionOf } from './prediction.ts';
export { SimulatedBackend } from './simulated-backend.ts';
export type { LocalRateLimit } from './spec.ts';
export * from './types.ts';
