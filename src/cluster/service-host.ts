// Which target hosts name a Kubernetes Service: the cluster DNS forms a pod's resolver expands.

import { isIP } from 'node:net';

/** A Service named by a target's host. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  /** `fqdn` = NAME.NS.svc.<domain>, `svc` = NAME.NS.svc, `short` = NAME.NS (could also be an external host). */
  readonly form: 'fqdn' | 'svc' | 'short';
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

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
  else if (tail.length === 1 + domain.length && tail[0] === 'svc' && tail.slice(1).join('.') === domain.join('.')) form = 'fqdn';
  const [name, namespace] = labels;
  if (!form || !name || !namespace || !LABEL.test(name) || !LABEL.test(namespace)) return undefined;
  return { namespace, name, form };
}
