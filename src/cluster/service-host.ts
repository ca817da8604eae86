// Which target hosts name a Kubernetes Service: the cluster DNS forms a pod's resolver expands.

import { isIP } from 'node:net';
import { nameProblem } from '../model/k8s-names.ts';

/** A Service named by a target's host. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  /** `fqdn` = NAME.NS.svc.<domain>, `svc` = NAME.NS.svc, `short` = NAME.NS (could also be an external host). */
  readonly form: 'fqdn' | 'svc' | 'short';
}

/** Service and namespace names are DNS-1123 labels, as the API server checks them. */
const isLabel = (text: string): boolean => nameProblem('dns1123-label', text) === undefined;

/**
 * The Service a host names, if it has one of the forms a pod resolves through its search path:
 * `NAME.NS.svc.cluster.local`, `NAME.NS.svc` or `NAME.NS`. The short form is only a candidate: the
 * caller confirms it exists (`example.com` has the same shape). A single label is left alone
 * because it resolves relative to the source's own namespace.
 */
export function serviceRefOf(host: string, clusterDomain = 'cluster.local'): ServiceRef | undefined {
  if (isIP(host)) return undefined;
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const domain = clusterDomain.toLowerCase().split('.');
  const tail = labels.slice(2);
  let form: ServiceRef['form'] | undefined;
  if (tail.length === 0) form = 'short';
  else if (tail.length === 1 && tail[0] === 'svc') form = 'svc';
  else if (tail.length === 1 + domain.length && tail[0] === 'svc' && tail.slice(1).join('.') === domain.join('.'))
    form = 'fqdn';
  const [name, namespace] = labels;
  if (!form || !name || !namespace || !isLabel(name) || !isLabel(namespace)) return undefined;
  return { namespace, name, form };
}
