// Resolves a target host to one address the way the workload itself would (system resolver, /etc/hosts),
// optionally of one IP family: a name without an address of that family says so, it is no deny.

import { isIP } from 'node:net';
import { familyLabel, familyNumber, type IpFamily } from '../model/family.ts';
import { lookupAll } from './lookup.ts';

/** The name resolves, but to no address of the family the target asks for. */
export class NoAddressOfFamily extends Error {
  constructor(host: string, family: IpFamily, found: readonly string[]) {
    const other = found.length > 0 ? `: it resolves to ${found.join(', ')}` : '';
    super(`${host} has no ${familyLabel(family)} address${other}`);
    this.name = 'NoAddressOfFamily';
  }
}

/**
 * Resolves `host` to an address; IP literals are returned as they are. Without `family` the first
 * address the resolver gives is used (as a client would); with it, the first address of that family,
 * and NoAddressOfFamily when the name has none. Throws resolver errors. `onGiveUp` registers what runs
 * when the caller stops waiting (its attempt's deadline): a lookup nobody waits for is then not started.
 */
export async function resolveHost(
  host: string,
  family?: IpFamily,
  onGiveUp?: (cleanup: () => void) => void,
): Promise<{ address: string; family: 4 | 6 }> {
  const literal = isIP(host);
  if (literal === 4 || literal === 6) {
    if (family && familyNumber(family) !== literal) throw new NoAddressOfFamily(host, family, [host]);
    return { address: host, family: literal };
  }
  // Every address of the name, so that "no such name" and "no address of this family" stay apart;
  // without a family the first, as a client takes it.
  const all = await lookupAll(host, onGiveUp).addresses;
  if (!family) {
    const [first] = all;
    // getaddrinfo never succeeds with no address; should it, that is the resolver's "no such name".
    if (!first) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }
  const wanted = familyNumber(family);
  const match = all.find((a) => a.family === wanted);
  if (!match)
    throw new NoAddressOfFamily(
      host,
      family,
      all.map((a) => a.address),
    );
  return { address: match.address, family: wanted };
}

/**
 * Every address a TCP client would try for `host`, in the resolver's order (duplicates dropped): an IP
 * literal or a target with `family` gives one (as resolveHost), a name without a family all of its own.
 * Throws resolver errors and NoAddressOfFamily; `onGiveUp` as for resolveHost.
 */
export async function resolveCandidates(
  host: string,
  family?: IpFamily,
  onGiveUp?: (cleanup: () => void) => void,
): Promise<string[]> {
  if (family || isIP(host)) return [(await resolveHost(host, family, onGiveUp)).address];
  const all = await lookupAll(host, onGiveUp).addresses;
  return [...new Set(all.map((a) => a.address))];
}
