// ClusterNetworkPolicy `domainNames` egress peers (network-policy-api v1alpha2, experimental): read as
// the CRD validates them, matched by name as upstream defines it, and undecidable wherever DNS decides.
import { bounded } from './admin.ts';
import type { Fields } from './fields.ts';
import type { DomainsSpec, RuleAction } from './spec.ts';

/**
 * The CRD's pattern for a DomainName (apis/v1alpha2 clusternetworkpolicy_types.go, `DomainName`), copied as
 * upstream writes it: its first character class says `a-zA-z`, which also admits `[ \ ] ^ _` and a backquote,
 * and the API server validates with exactly that pattern.
 */
const DOMAIN_NAME = /^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

/** The CRD's bound on domain names per peer (MinItems 1, MaxItems 25). */
const MAX_NAMES = 25;

/** A domain name as compared: lower case, without a trailing dot. */
export const normal = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/**
 * Reads a `domainNames` peer. Upstream documents the peer for Accept rules only ("DomainNames is only
 * supported for Accept rules"): no CEL rule enforces it, so what an implementation does with a Deny or
 * Pass of names is not defined, and the engine refuses it rather than guess (as it does the named-port rule).
 */
export function readDomainNames(peer: Fields, action: RuleAction): DomainsSpec {
  const names = bounded(peer, 'domainNames', peer.strList('domainNames'), 1, MAX_NAMES) ?? [];
  if (action !== 'allow')
    peer.fail(
      `domainNames peers are only supported for Accept rules (found ${action === 'deny' ? 'Deny' : 'Pass'}): the API leaves a Deny or Pass of names undefined`,
      'domainNames',
    );
  const seen = new Set<string>();
  for (const name of names) {
    if (!DOMAIN_NAME.test(name))
      peer.fail(
        `"${name}" is not a domain name: an exact name or "*." and a name ("*" matches whole labels, only as a prefix)`,
        'domainNames',
      );
    if (seen.has(name)) peer.fail(`duplicate value "${name}" (the list is a set)`, 'domainNames');
    seen.add(name);
  }
  return { kind: 'domains', names: names.map(normal) };
}

/**
 * Whether `pattern` names `host`, as the DomainName doc comment defines it: `kubernetes.io` matches only
 * itself; `*.kubernetes.io` matches `www.kubernetes.io` and `latest.blog.kubernetes.io` but not
 * `kubernetes.io`. Case and a trailing dot do not matter (DNS).
 */
export function domainMatches(pattern: string, host: string): boolean {
  const p = normal(pattern);
  const name = normal(host);
  if (!p.startsWith('*.')) return p === name;
  const suffix = p.slice(1);
  return name.length > suffix.length && name.endsWith(suffix) && !name.startsWith('.');
}

/** The kubelet's default cluster domain: the model knows no other. */
const CLUSTER_DOMAIN = 'cluster.local';

/**
 * Whether a pattern may name pods: npep-133 lets an implementation match a pod's own DNS record
 * (`1-2-3-4.ns.pod.<domain>`) and a headless Service's (`svc.ns.svc.<domain>`), since their answers are pod
 * IPs. A pattern that names a `pod` or `svc` label past the first two, or the cluster domain, may.
 */
function mayNamePods(pattern: string): boolean {
  const labels = pattern.split('.');
  if (labels[0] === '*') {
    const suffix = labels.slice(1);
    return suffix.some((l) => l === 'pod' || l === 'svc') || `.${CLUSTER_DOMAIN}`.endsWith(`.${suffix.join('.')}`);
  }
  return labels.slice(2).some((l) => l === 'pod' || l === 'svc');
}

/** How a domains peer covers the pods of the cluster: never surely; `maybe` when a name may be a pod's. */
export function domainsCoverPods(spec: DomainsSpec): 'no' | 'maybe' {
  return spec.names.some(mayNamePods) ? 'maybe' : 'no';
}

/** What a domainNames match hangs on, for explanations of undecidable cells ("… depends on <this>"). */
export const DNS_REASON =
  'the DNS answers the source gets at run time, which say what addresses the domain names stand for (a target given by name is decided by name)';
