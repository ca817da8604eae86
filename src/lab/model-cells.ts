// The policy model's verdict for each cell of a test, asked between the lab's exact pod addresses.

import type { ModelVerdict } from '../model/matrix.ts';
import type { ReachabilityTest } from '../model/test-spec.ts';
import type { Model } from '../policy/index.ts';
import { endpointsOf, podsMatching } from './endpoints.ts';
import type { LabTopology } from './topology-types.ts';

/**
 * Model verdicts by source then target. A cell is left out when the model cannot speak for it:
 * a source with no lab pod, or a target the lab does not route (dns://, unknown names).
 */
export function modelCells(test: ReachabilityTest, topology: LabTopology, model: Model): Map<string, Map<string, ModelVerdict>> {
  const cells = new Map<string, Map<string, ModelVerdict>>();
  for (const source of test.sources) {
    const pod = podsMatching(topology, source.namespace, source.selector)[0];
    if (!pod) continue;
    const row = new Map<string, ModelVerdict>();
    cells.set(source.name, row);
    for (const target of test.targets) {
      if (target.address.scheme === 'dns') continue;
      const [endpoint] = endpointsOf(topology, target.address);
      if (!endpoint) continue;
      const decision = model.decide({ from: { ip: pod.ip }, to: { ip: endpoint.ip }, port: endpoint.port, protocol: 'TCP' });
      row.set(target.name, { verdict: decision.verdict, explanation: [...decision.explanation] });
    }
  }
  return cells;
}
