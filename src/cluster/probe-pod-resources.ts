// The probe pod agent's requests and limits, fitted to the namespace's LimitRanges: LimitRanger refuses a
// container below a `min`, above a `max`, or whose limit exceeds its request more than
// `maxLimitRequestRatio` times (plugin/pkg/admission/limitranger/admission.go), and the fixed 10m/500m
// (ratio 50) would fail many such namespaces.

import type { V1LimitRange, V1ResourceRequirements } from '@kubernetes/client-node';
import { agentMemoryBytes, memoryBytes, mib } from './agent-memory.ts';

/** A request and a limit of one resource, in base units (cores, bytes). */
export interface Bounds {
  readonly request: number;
  readonly limit: number;
}

/** The agent's requests and limits: CPU in cores, memory in bytes. */
export interface AgentResources {
  readonly cpu: Bounds;
  readonly memory: Bounds;
}

/** 10m CPU and 96Mi requested, 500m and 256Mi at most: measured in agent-memory.ts, a fraction of a core. */
const DEFAULT_AGENT_RESOURCES: AgentResources = {
  cpu: { request: 0.01, limit: 0.5 },
  memory: { request: 96 * 2 ** 20, limit: 256 * 2 ** 20 },
};

/** `10m`, `1`, `96Mi` (binary for memory, millicores for CPU): what the pod spec gets. */
function format(resource: 'cpu' | 'memory', value: number): string {
  if (resource === 'cpu') return `${Math.ceil(value * 1000)}m`;
  return Number.isInteger(value / 2 ** 20) ? `${value / 2 ** 20}Mi` : `${Math.ceil(value)}`;
}

/** The pod spec's `resources` for these bounds. */
export function resourceRequirements(resources: AgentResources): V1ResourceRequirements {
  return {
    requests: { cpu: format('cpu', resources.cpu.request), memory: format('memory', resources.memory.request) },
    limits: { cpu: format('cpu', resources.cpu.limit), memory: format('memory', resources.memory.limit) },
  };
}

/** A quantity in base units: CPU `500m`/`0.5`, memory `96Mi`. */
function quantity(resource: 'cpu' | 'memory', text: string | undefined): number | undefined {
  return memoryBytes(text) ?? (resource === 'cpu' && text !== undefined ? Number(text) : undefined);
}

/** What one LimitRange item of type Container bounds for one resource. */
interface Constraint {
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly ratio: number | undefined;
}

function constraintOf(range: V1LimitRange, resource: 'cpu' | 'memory'): Constraint[] {
  return (range.spec?.limits ?? [])
    .filter((item) => item.type === 'Container')
    .map((item) => ({
      min: quantity(resource, item.min?.[resource]),
      max: quantity(resource, item.max?.[resource]),
      ratio: quantity(resource, item.maxLimitRequestRatio?.[resource]),
    }));
}

/** Moves one resource's bounds inside every constraint where it can: up to a min, down to a max, request up to the ratio. */
function fit(bounds: Bounds, constraints: readonly Constraint[]): Bounds {
  let { request, limit } = bounds;
  for (const c of constraints) {
    if (c.min !== undefined) [request, limit] = [Math.max(request, c.min), Math.max(limit, c.min)];
    if (c.max !== undefined) [request, limit] = [Math.min(request, c.max), Math.min(limit, c.max)];
    request = Math.min(request, limit);
    if (c.ratio !== undefined && limit / request > c.ratio) request = limit / c.ratio;
  }
  return { request, limit };
}

/** Why `bounds` break a constraint of `range`, or undefined. */
function broken(resource: 'cpu' | 'memory', bounds: Bounds, c: Constraint): string | undefined {
  const f = (v: number): string => format(resource, v);
  if (c.min !== undefined && bounds.request < c.min)
    return `${resource} request ${f(bounds.request)} is below its min ${f(c.min)}`;
  if (c.max !== undefined && bounds.limit > c.max)
    return `${resource} limit ${f(bounds.limit)} is above its max ${f(c.max)}`;
  if (c.ratio !== undefined && bounds.limit / bounds.request > c.ratio + 1e-9)
    return `${resource} limit ${f(bounds.limit)} is more than ${c.ratio} times the request ${f(bounds.request)} (maxLimitRequestRatio)`;
  return undefined;
}

/**
 * The agent's resources for a probe pod in a namespace with these LimitRanges: `given` (the flags) as
 * is, else the defaults with a memory limit that holds the plan's agent (agent-memory.ts) and moved
 * inside every LimitRange. An error names the LimitRange that allows no such agent, and the flags.
 */
export function agentResources(
  ranges: readonly V1LimitRange[],
  probes: number,
  given?: Partial<AgentResources>,
): { resources: AgentResources } | { error: string } {
  const need = agentMemoryBytes(probes);
  const base: AgentResources = {
    cpu: given?.cpu ?? DEFAULT_AGENT_RESOURCES.cpu,
    memory: given?.memory ?? {
      request: DEFAULT_AGENT_RESOURCES.memory.request,
      limit: Math.max(DEFAULT_AGENT_RESOURCES.memory.limit, Math.ceil(need / 2 ** 20) * 2 ** 20),
    },
  };
  const fitted: AgentResources = {
    cpu:
      given?.cpu ??
      fit(
        base.cpu,
        ranges.flatMap((r) => constraintOf(r, 'cpu')),
      ),
    memory:
      given?.memory ??
      fit(
        base.memory,
        ranges.flatMap((r) => constraintOf(r, 'memory')),
      ),
  };
  for (const range of ranges)
    for (const resource of ['cpu', 'memory'] as const)
      for (const c of constraintOf(range, resource)) {
        const why = broken(resource, fitted[resource], c);
        if (why)
          return {
            error: `LimitRange ${range.metadata?.name ?? ''} in namespace ${range.metadata?.namespace ?? ''} refuses the probe pod's agent: ${why}; set them with --agent-cpu and --agent-memory (REQUEST:LIMIT)`,
          };
      }
  if (fitted.memory.limit < need)
    return {
      error: `the probe pod's agent would have ${format('memory', fitted.memory.limit)} of memory, and an agent of ${probes} probes needs up to ${mib(need)}${ranges.length ? ` (LimitRange ${ranges.map((r) => r.metadata?.name).join(', ')})` : ''}: raise --agent-memory, or split the test`,
    };
  return { resources: fitted };
}

/** Parses a `--agent-cpu`/`--agent-memory` value, `REQUEST:LIMIT` (`10m:500m`, `96Mi:256Mi`); an error message or the bounds. */
export function parseBounds(resource: 'cpu' | 'memory', text: string): Bounds | string {
  const [request, limit, extra] = text.split(':');
  const r = quantity(resource, request);
  const l = quantity(resource, limit);
  if (extra !== undefined || r === undefined || l === undefined || !(r > 0) || !(l > 0))
    return `"${text}" is not REQUEST:LIMIT of ${resource} quantities (e.g. ${resource === 'cpu' ? '10m:500m' : '96Mi:256Mi'})`;
  if (r > l) return `"${text}": the request is more than the limit`;
  return { request: r, limit: l };
}
