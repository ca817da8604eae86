// DNS probe: can the source resolve a name? Resolution is the allow; a resolver that never answers is a deny.

import type { TargetAddress } from '../model/target.ts';
import { runAttempt } from './attempt.ts';
import type { Attempt } from './classify.ts';
import { NoAddressOfFamily, resolveHost } from './resolve.ts';

/** Resolves the name with the system resolver, as the workload would. */
export function dnsAttempt(address: TargetAddress, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  return runAttempt(
    timeoutMs,
    async (ctx) => {
      // Past the resolve phase a passed deadline reads as a deny: the resolver was unreachable.
      ctx.phase = 'exchange';
      try {
        const { address: found } = await resolveHost(address.host, address.family);
        return { observed: 'allow', reason: 'resolved', detail: found };
      } catch (error) {
        if (error instanceof NoAddressOfFamily)
          return { observed: 'error', reason: 'no-address', detail: error.message };
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code === 'EAI_AGAIN' || code === 'ETIMEOUT')
          return { observed: 'deny', reason: 'timeout', detail: `${code}: the resolver did not answer` };
        return {
          observed: 'error',
          reason: 'dns',
          detail: `${code || String(error)}: ${address.host} does not resolve`,
        };
      }
    },
    signal,
  );
}
