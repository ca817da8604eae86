// What `prober cleanup` prints: the probe pods it deleted (or would), and the agents it cannot remove.

import { escapeText } from './escape.ts';

/** A probe pod and what became of it (cluster/leftovers.ts LeftPod). */
interface PodLine {
  readonly namespace: string;
  readonly name: string;
  readonly runId: string;
  readonly action: string;
  readonly error?: string;
}

/** A pod holding agents prober added (cluster/leftovers.ts PodWithAgents). */
interface AgentsLine {
  readonly namespace: string;
  readonly pod: string;
  readonly agents: readonly { readonly name: string; readonly runId: string; readonly state: string }[];
}

/** What a cleanup found and did, and where it looked. */
export interface CleanupOutcome {
  readonly cluster: string;
  readonly runId: string | undefined;
  readonly namespaces: readonly string[] | 'all';
  readonly dryRun: boolean;
  readonly pods: readonly PodLine[];
  readonly agents: readonly AgentsLine[];
  readonly problems: readonly string[];
}

/** 0 when every probe pod found is gone or going (or, in a dry run, listed), 2 when a delete or a list failed. */
export function cleanupExitCode(outcome: CleanupOutcome): 0 | 2 {
  return outcome.problems.length > 0 || outcome.pods.some((p) => p.action === 'failed') ? 2 : 0;
}

/** The JSON form (`-o json`): versioned like the run report. */
export function renderCleanupJson(outcome: CleanupOutcome): string {
  return `${JSON.stringify(
    {
      apiVersion: 'prober/v1alpha1',
      kind: 'CleanupReport',
      cluster: outcome.cluster,
      runId: outcome.runId ?? null,
      namespaces: outcome.namespaces === 'all' ? '*' : outcome.namespaces,
      dryRun: outcome.dryRun,
      probePods: outcome.pods,
      ephemeralAgents: outcome.agents,
      problems: outcome.problems,
      exitCode: cleanupExitCode(outcome),
    },
    null,
    2,
  )}\n`;
}

/** The text form: one line per probe pod, one per pod with agents left, then the problems. */
export function renderCleanupText(outcome: CleanupOutcome): string {
  const which = outcome.runId === undefined ? 'every run' : `run ${outcome.runId}`;
  const where = outcome.namespaces === 'all' ? 'all namespaces' : `namespace ${outcome.namespaces.join(', ')}`;
  const lines = [`prober cleanup of ${which} in ${where} (${outcome.cluster})${outcome.dryRun ? ', dry run' : ''}`];
  if (outcome.pods.length === 0) lines.push('probe pods: none');
  else {
    lines.push(`probe pods (${outcome.pods.length}):`);
    const width = Math.max(...outcome.pods.map((p) => p.action.length));
    for (const p of outcome.pods)
      lines.push(
        `  ${p.action.padEnd(width)}  ${p.namespace}/${p.name}  run ${p.runId}${p.error ? `: ${p.error}` : ''}`,
      );
  }
  if (outcome.agents.length === 0) lines.push('ephemeral agents: none');
  else {
    const count = outcome.agents.reduce((n, a) => n + a.agents.length, 0);
    lines.push(
      `ephemeral agents (${count} in ${outcome.agents.length} pods; Kubernetes cannot remove an ephemeral container, it goes when the pod is replaced):`,
    );
    for (const a of outcome.agents)
      lines.push(`  ${a.namespace}/${a.pod}  ${a.agents.map((c) => `${c.name} (${c.state})`).join(', ')}`);
  }
  for (const problem of outcome.problems) lines.push(`problem: ${problem}`);
  return `${lines.map(escapeText).join('\n')}\n`;
}
