// Faults a test injects into the fake API server: the next matching requests are answered with an error
// instead of being carried out, or carried out and then answered with an error (the answer is lost on
// its way back). Faults of both kinds apply in the order they were added.

import * as status from './status.ts';
import type { RawAnswer } from './transport-faults.ts';

interface Fault {
  readonly verb: string;
  readonly resource: string;
  readonly code: number;
  left: number;
  readonly message: string | undefined;
  /** Carry the request out before failing it: the answer, not the request, is lost. */
  readonly lost: boolean;
  /** The whole answer, when not a Status of `code`. */
  readonly answer?: () => Error;
  /** The raw HTTP answer (transport-faults.ts), written instead of any Status. */
  readonly raw?: RawAnswer;
  /** How many times the fault was used. */
  used: number;
}

/** The fake's queue of injected faults. */
export class FakeFaults {
  readonly #queue: Fault[] = [];
  /** Requests answered late (a slow list): verb, resource, how late, how many more times. */
  readonly #delays: { verb: string; resource: string; ms: number; left: number }[] = [];

  /** The next `times` `verb resource` requests are carried out `ms` late, as by a loaded API server or etcd. */
  addDelay(verb: string, resource: string, ms: number, times: number): void {
    this.#delays.push({ verb, resource, ms, left: times });
  }

  /** How late to answer a `verb resource` request (0: at once); counts as used. */
  takeDelay(verb: string, resource: string): number {
    const delay = this.#delays.find((d) => d.left > 0 && d.verb === verb && d.resource === resource);
    if (!delay) return 0;
    delay.left -= 1;
    return delay.ms;
  }

  /** The next `times` `verb resource` requests get a Status `code`, before (or, `lost`, after) being carried out. */
  add(verb: string, resource: string, code: number, times: number, message: string | undefined, lost: boolean): void {
    this.#queue.push({ verb, resource, code, left: times, message, lost, used: 0 });
  }

  /** The next `times` `verb resource` requests get `answer()` instead of being carried out. */
  addAnswer(verb: string, resource: string, answer: () => Error, times: number): void {
    this.#queue.push({ verb, resource, code: 0, left: times, message: undefined, lost: false, answer, used: 0 });
  }

  /** The next `times` `verb resource` requests get the raw answer `raw` (silence, a stalled body …). */
  addRaw(verb: string, resource: string, raw: RawAnswer, times: number): void {
    this.#queue.push({ verb, resource, code: 0, left: times, message: undefined, lost: false, raw, used: 0 });
  }

  /** The raw answer for a `verb resource` request, when the first fault that matches is one; it counts as used. */
  takeRaw(verb: string, resource: string): ((res: Parameters<RawAnswer>[0], url: URL) => void) | undefined {
    const fault = this.#queue.find((f) => f.left > 0 && f.verb === verb && f.resource === resource);
    const raw = fault?.raw;
    if (!fault || !raw) return undefined;
    fault.left -= 1;
    const n = fault.used;
    fault.used += 1;
    return (res, url) => raw(res, url, n);
  }

  /** Carries out a `verb resource` request with `carryOut`, unless the first fault that matches says otherwise. */
  apply<T>(verb: string, resource: string, carryOut: () => T): T {
    const fault = this.#queue.find((f) => f.left > 0 && f.verb === verb && f.resource === resource);
    if (fault && !fault.lost) {
      fault.left -= 1;
      throw fault.answer?.() ?? status.serverError(fault.code, fault.message);
    }
    const result = carryOut();
    if (fault) {
      fault.left -= 1;
      throw status.serverError(fault.code, fault.message);
    }
    return result;
  }
}
