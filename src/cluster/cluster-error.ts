// The error class every cluster failure extends, alone in its module: the CLI matches it on every run.

/**
 * prober could not reach the cluster, or the API server refused or failed a call. The message is the
 * whole story in one line (the cause is detail for PROBER_DEBUG). This module imports nothing, so the
 * CLI matches the class without loading the Kubernetes API code (api-error.ts pulls in kube-api.ts and
 * the policy layer), which every command's start-up would otherwise pay for.
 */
export class ClusterError extends Error {}
