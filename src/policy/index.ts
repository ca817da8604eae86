// Public entry of the policy engine: pure functions over parsed manifests (no I/O). Modules outside
// policy/ import only this file (.dependency-cruiser.mjs, policy-through-its-index).
export { buildModel, type Model } from './model.ts';
export { NAMESPACE_NAME_LABEL } from './cluster.ts';
export type { Workload } from './cluster.ts';
export { parsePolicy } from './parse.ts';
export {
  isPolicyKind,
  kindApiVersions,
  kindDescriptor,
  POLICY_KIND_NAMES,
  type PolicyKind,
} from './kinds.ts';
export { PolicyError } from './fields.ts';
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
export { migrateAdminPolicy } from './migrate.ts';
export { usesNodePeers } from './nodes.ts';
