// `prober simulate`'s workload matrix: every workload as a source, each workload's ports as targets,
// observed from the policy model one cell at a time, as the report is written.

import type { Backend } from '../model/backend.ts';
import { LazyMap } from '../model/lazy-map.ts';
import { DEFAULTS, type ReachabilityTest, type SourceSpec, type TargetSpec } from '../model/test-spec.ts';
import {
  type Decision,
  type Matrix,
  type Model,
  type Prediction,
  predictionOf,
  SimulatedBackend,
  type Workload,
} from '../policy/index.ts';
import type { PortArg } from './simulate-views.ts';

const portLabel = (p: PortArg): string => (p.protocol === 'TCP' ? `${p.port}` : `${p.port}/${p.protocol}`);

interface Column {
  readonly workload: Workload;
  readonly port: PortArg;
  readonly url: string;
  /** The port's bitset matrix, looked up once for the column (not once per cell). */
  matrix?: Matrix;
}

/** What the report the matrix is written to needs of each cell. */
export interface MatrixNeeds {
  /**
   * Every cell's explanation (its `detail`): only formats that print every cell's detail ask for it.
   * Without it, a decided cell is read off the bitset matrix alone (its verdict and where it is
   * denied), and the explaining engine runs only for the cells it cannot decide, whose reason is listed.
   */
  readonly everyExplanation: boolean;
}

/**
 * The workload matrix as a ReachabilityTest and a backend that "observes" it: every workload a
 * source; as targets, each workload on each given port — or, without ports, on each port it
 * declares. Nothing is computed up front: each cell is decided by the model when the report asks
 * for it, so memory does not grow with the number of cells.
 */
export function workloadMatrix(
  model: Model,
  ports: readonly PortArg[],
  needs: MatrixNeeds,
): { test: ReachabilityTest; backend: Backend } {
  const columns = new Map<string, Column>();
  for (const workload of model.workloads) {
    const own = ports.length > 0 ? ports : workload.ports.map((p) => ({ port: p.port, protocol: p.protocol }));
    for (const port of own) {
      // Not a probe URL: simulated cells name the workload and the container port.
      columns.set(`${workload.id}:${portLabel(port)}`, {
        workload,
        port,
        url: `${port.protocol.toLowerCase()}://${workload.id}:${port.port}`,
      });
    }
  }
  const sources: SourceSpec[] = model.workloads.map((w) => ({
    name: w.id,
    namespace: w.namespace,
    selector: w.labels,
    local: false,
  }));
  const targets: TargetSpec[] = [...columns].map(([name, c]) => ({
    name,
    address: { scheme: 'tcp', host: c.workload.id, port: c.port.port, path: '', url: c.url },
    liveness: 'none',
  }));
  const test: ReachabilityTest = {
    name: 'simulate',
    file: '<manifests>',
    defaults: DEFAULTS,
    sources,
    targets,
    rules: [],
    expectFromPolicies: false,
  };
  const targetNames = new Set(columns.keys());
  // One decider per port, made when a cell first needs it (it computes that port's matrix).
  const deciders = new Map<string, (from: Workload, to: Workload) => Decision>();
  const decider = (port: PortArg): ((from: Workload, to: Workload) => Decision) => {
    const key = portLabel(port);
    let d = deciders.get(key);
    if (!d) {
      d = model.cells(port.port, port.protocol);
      deciders.set(key, d);
    }
    return d;
  };
  // The matrix's verdict, explained once per class of cells (not the explaining engine per cell), or
  // not explained at all where the report prints no explanation.
  const predict = (from: Workload, target: string): Prediction => {
    const c = columns.get(target)!;
    if (!needs.everyExplanation) {
      c.matrix ??= model.matrix(c.port.port, c.port.protocol);
      const matrix = c.matrix;
      const computed = matrix.computed(from.index, c.workload.index);
      if (computed !== 'unknown')
        return {
          kind: 'verdict',
          verdict: from === c.workload ? 'loopback' : computed,
          computed,
          deniedAt: matrix.deniedAt(from.index, c.workload.index),
          explanation: [],
        };
    }
    return predictionOf(decider(c.port)(from, c.workload));
  };
  const predictions = new LazyMap(new Set(sources.map((s) => s.name)), (from) => {
    const source = model.workload(from)!;
    return new LazyMap(targetNames, (target) => predict(source, target));
  });
  // Every cell is a verdict of the policies themselves, so every target counts as alive.
  return { test, backend: new SimulatedBackend(() => predictions, { everyTargetAlive: true }) };
}
