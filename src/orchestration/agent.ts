// `agent`: run one probe plan where prober was started (a source pod, a lab namespace), or stay resident and serve plans.

import { ConfigError } from '../config/config-error.ts';
import { inflatePlan, parseProbePlan } from '../config/load-plan.ts';
import { readText, STDIN_PATH } from '../config/read-input.ts';
import { MAX_AFFINITY_PLAN_BYTES, measurementLine, parseAffinityPlan } from '../model/affinity-plan.ts';
import type { Io } from '../model/io.ts';
import { MAX_PLAN_BYTES, PLAN_GZ_ENV, type ProxyReady } from '../model/plan.ts';
import { MAX_RATE_PLAN_BYTES } from '../model/rate-plan.ts';
import type { ExitCode } from '../model/report.ts';
import { parseTarget } from '../model/target.ts';
import { executePlan, lineBatch } from '../probe/agent-run.ts';
import { withInterrupts } from './interrupts.ts';

const PLAN_LIMIT = { bytes: MAX_PLAN_BYTES, what: 'a probe plan' } as const;
const AFFINITY_PLAN_LIMIT = { bytes: MAX_AFFINITY_PLAN_BYTES, what: 'an affinity plan' } as const;

/** The `kind` of a small plan (a RateCheckPlan, an AffinityPlan); a probe plan is read as one whatever it says. */
function kindOf(text: string): unknown {
  try {
    return (JSON.parse(text) as { kind?: unknown } | null)?.kind;
  } catch {
    return undefined;
  }
}

/**
 * Sends the requests of a zone-affinity check from here and prints who answered as one
 * AffinityMeasurement line: the plan from a file or stdin (`--affinity`, what the lab starts in each
 * source pod's namespace), or from the environment (what `prober run` puts in each source pod), then
 * an AgentDone line, which tells `run` the agent ended on its own. SIGINT/SIGTERM cut it short (exit 2).
 */
async function runAffinityPlan(origin: string, text: string, io: Io, done = false): Promise<ExitCode> {
  const { plan: planText, proxyReady } = done ? await clusterEnvelope(origin, text) : { plan: text };
  const parsed = parseAffinityPlan(planText);
  if (!parsed.ok) throw new ConfigError(origin, undefined, parsed.field, parsed.error);
  const { plan } = parsed;
  const target = parseTarget(plan.url);
  if (!target.ok) throw new ConfigError(origin, undefined, 'url', target.error);
  // Loaded on use: a probe plan's agent never sends an affinity check.
  const { sendForAffinity } = await import('../probe/affinity-sender.ts');
  const interrupted = await withInterrupts(io.stderr, async (signal, interruptedBy) => {
    // A probe pod's agent first waits for its own sidecar proxy, as a rate-limit check's does.
    const notReady = proxyReady
      ? await (await import('../probe/proxy-ready.ts')).waitForProxy(proxyReady, signal)
      : undefined;
    if (notReady) {
      io.stdout.write(`${JSON.stringify({ kind: 'AgentError', message: notReady })}\n`);
      return true;
    }
    const measurement = await sendForAffinity({
      address: plan.family ? { ...target.value, family: plan.family } : target.value,
      requests: plan.requests,
      timeoutMs: plan.timeoutMs,
      concurrency: plan.concurrency,
      identity: plan.identity,
      signal,
    });
    io.stdout.write(`${measurementLine(measurement)}\n`);
    if (done && !signal.aborted) io.stdout.write(`${JSON.stringify({ kind: 'AgentDone' })}\n`);
    return interruptedBy();
  });
  return interrupted ? 2 : 0;
}

/**
 * An AffinityPlan as `prober run` hands it over: the plan itself, plus the source and check it runs for
 * (named in the pod, for people reading it) and, in a probe pod beside a sidecar, the proxy to wait for.
 */
async function clusterEnvelope(origin: string, text: string): Promise<{ plan: string; proxyReady?: ProxyReady }> {
  const { source, check, proxyReady, ...plan } = JSON.parse(text) as Record<string, unknown>;
  for (const [field, value] of Object.entries({ source, check }))
    if (value !== undefined && (typeof value !== 'string' || value.length > 253))
      throw new ConfigError(origin, undefined, field, 'must be a string of at most 253 characters');
  const { proxyReadyField } = await import('../config/load-rate-plan.ts');
  const ready = proxyReadyField(origin, proxyReady);
  return { plan: JSON.stringify(plan), ...(ready ? { proxyReady: ready } : {}) };
}

/** What `prober agent` was asked. */
export interface AgentRequest {
  /** `--plan FILE` or `-` (stdin); undefined: `$PROBER_PLAN_GZ`, `$PROBER_PLAN`, else stdin. */
  readonly plan?: string;
  /** Stay resident on this Unix socket instead of running one plan. */
  readonly listen?: string;
  /** With `listen`: how long a client may take to send its plan line. */
  readonly clientTimeoutMs: number;
  /** Send one phase of a rate-limit check (a RatePlan file, or `-`) instead of running a probe plan. */
  readonly rate?: string;
  /** Idle until SIGTERM: the resident agent container a cluster run execs its plans into (agent-exec.ts). */
  readonly resident?: boolean;
  /** The plan as one JSON line on stdin, the probes stopped if stdin then closes (an exec into the resident agent). */
  readonly planLine?: boolean;
  /** Send the requests of a zone-affinity check (an AffinityPlan file, or `-`) instead of running a probe plan. */
  readonly affinity?: string;
}

/**
 * Where the plan comes from: `--plan FILE`, `--plan -` (stdin), `$PROBER_PLAN_GZ` (gzip + base64, what
 * cluster agents get) or `$PROBER_PLAN` (JSON). Files, stdin and the inflated plan are held to the plan's
 * size limit; the kernel already caps one environment string at 128 KiB.
 */
async function readPlan(
  planFlag: string | undefined,
  io: Pick<Io, 'env' | 'stdin'>,
): Promise<{ origin: string; text: string }> {
  const { env } = io;
  const compressed = env[PLAN_GZ_ENV];
  if (!planFlag && compressed) {
    const origin = `$${PLAN_GZ_ENV}`;
    return { origin, text: inflatePlan(origin, compressed) };
  }
  if (!planFlag && env.PROBER_PLAN) return { origin: '$PROBER_PLAN', text: env.PROBER_PLAN };
  // `io` itself: its stdin, opened when first read, only for a plan on stdin.
  return readText(planFlag ?? STDIN_PATH, PLAN_LIMIT, io);
}

/**
 * Runs the plan and prints one JSON line per result on `io`'s stdout, then AgentDone; or, with `listen`, serves plans
 * until SIGINT/SIGTERM. Returns 0, or 2 when a one-shot run was interrupted; an invalid plan throws.
 *
 * @example
 *   process.exitCode = await runAgent({ plan: '-', clientTimeoutMs: 10_000 }, io);
 */
export async function runAgent(request: AgentRequest, io: Io): Promise<ExitCode> {
  if (request.listen) {
    const socket = request.listen;
    // Loaded on use: only the resident agent of the lab serves a socket.
    const { serveAgent } = await import('../probe/agent-server.ts');
    await withInterrupts(io.stderr, (signal) =>
      serveAgent(socket, signal, { clientTimeoutMs: request.clientTimeoutMs }),
    );
    return 0;
  }
  if (request.rate !== undefined) return (await import('./rate-agent.ts')).runRatePlan(request.rate, io);
  if (request.affinity !== undefined) {
    const { origin, text } = await readText(request.affinity, AFFINITY_PLAN_LIMIT, io);
    return runAffinityPlan(origin, text, io);
  }
  if (request.resident || request.planLine) {
    // Loaded on use: only a resident agent in a cluster pod idles or reads a plan line.
    const { idleUntilStopped, runPlanLine } = await import('./agent-exec.ts');
    return request.resident ? idleUntilStopped(io) : runPlanLine(io);
  }
  const { origin, text } = await readPlan(request.plan, io);
  // A check's plan (what `prober run` gives a check's agent) is small; a probe plan may be large.
  const kind = text.length <= Math.max(MAX_RATE_PLAN_BYTES, MAX_AFFINITY_PLAN_BYTES) ? kindOf(text) : undefined;
  if (kind === 'RateCheckPlan' && text.length <= MAX_RATE_PLAN_BYTES)
    return (await import('./rate-agent.ts')).runRateCheckPlan(origin, text, io);
  if (kind === 'AffinityPlan' && text.length <= MAX_AFFINITY_PLAN_BYTES) return runAffinityPlan(origin, text, io, true);
  const plan = await parseProbePlan(origin, text);
  const lines = lineBatch((text) => void io.stdout.write(text));
  const interrupted = await withInterrupts(io.stderr, async (signal, interruptedBy) => {
    // In a pod with a classic sidecar, probes wait for its proxy; if it never comes, the source is an error.
    // Loaded on use (it brings node:http): only a plan for a pod with a classic sidecar has a proxy.
    const notReady = plan.proxyReady
      ? await (await import('../probe/proxy-ready.ts')).waitForProxy(plan.proxyReady, signal)
      : undefined;
    if (notReady) {
      lines.write({ kind: 'AgentError', message: notReady });
      lines.flush();
      return true;
    }
    await executePlan(plan, lines.write, signal);
    lines.flush();
    return interruptedBy();
  });
  return interrupted ? 2 : 0;
}
