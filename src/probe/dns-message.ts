// DNS messages on the wire: builds a query and judges the reply a server sent back (dns-packet does the codec).

import packet from 'dns-packet';
import type { DnsRecordType } from '../model/dns-query.ts';
import type { Attempt } from './classify.ts';

/** The most of a UDP reply the probe reads; anything longer is not a reply to a one-question query. */
export const MAX_UDP_REPLY = 4096;
/** The most addresses a detail line lists. */
const MAX_LISTED = 8;

/** Response codes by number (RFC 1035 §4.1.1, RFC 2136); the low four bits of the header flags. */
const RCODES: readonly string[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** A query of one question, with recursion desired, as a stub resolver sends it. */
export function buildQuery(name: string, type: DnsRecordType, id: number): Buffer {
  return packet.encode({
    type: 'query',
    id,
    flags: packet.RECURSION_DESIRED,
    questions: [{ type, class: 'IN', name }],
  });
}

/** A fresh 16-bit query id. */
export function queryId(): number {
  return Math.floor(Math.random() * 0x10000);
}

/** What was asked, to match the reply against. */
export interface AskedQuestion {
  readonly id: number;
  readonly name: string;
  readonly type: DnsRecordType;
  /** The server as `IP:PORT` and the transport, for details. */
  readonly where: string;
}

/**
 * Classifies a server's reply: an answer or NXDOMAIN is an allow (the server answered), REFUSED a deny
 * by the server, SERVFAIL an error (it could not say); a reply that is not a DNS response to this
 * query (garbage, another id, another question) is `error/protocol`.
 */
export function judgeReply(bytes: Buffer, asked: AskedQuestion): Attempt {
  const protocol = (detail: string): Attempt => ({ observed: 'error', reason: 'protocol', detail });
  let reply: packet.DecodedPacket;
  try {
    reply = packet.decode(bytes);
  } catch {
    return protocol(`not a DNS message: ${bytes.length} bytes from ${asked.where} starting ${hexStart(bytes)}`);
  }
  if (reply.type !== 'response') return protocol(`a DNS query, not a response, came back from ${asked.where}`);
  if (reply.id !== asked.id)
    return protocol(`the reply's id ${reply.id} does not match the query's id ${asked.id} (${asked.where})`);
  const rcode = RCODES[(reply.flags ?? 0) & 0x0f] ?? `RCODE ${(reply.flags ?? 0) & 0x0f}`;
  const question = reply.questions?.[0];
  // A server may leave the question out of an error reply; a question that is there must be ours.
  if (question) {
    const sameName = trimDot(question.name).toLowerCase() === trimDot(asked.name).toLowerCase();
    if (!sameName || question.type !== asked.type)
      return protocol(`the reply answers another question than ${asked.name} ${asked.type} (${asked.where})`);
  } else if (rcode === 'NOERROR' || rcode === 'NXDOMAIN') {
    return protocol(`a ${rcode} reply without the question from ${asked.where}`);
  }
  switch (rcode) {
    case 'NOERROR':
      return answered(reply, asked);
    case 'NXDOMAIN':
      return {
        observed: 'allow',
        reason: 'nxdomain',
        detail: `NXDOMAIN: ${asked.where} answered that the name does not exist`,
      };
    case 'REFUSED':
      return { observed: 'deny', reason: 'dns-refused', detail: `REFUSED: ${asked.where} declined to answer` };
    case 'SERVFAIL':
      return {
        observed: 'error',
        reason: 'dns-servfail',
        detail: `SERVFAIL: ${asked.where} could not answer (its upstream or zone failed)`,
      };
    default:
      return protocol(`${asked.where} answered ${safe(rcode)} to a plain ${asked.type} query`);
  }
}

/** A name as DNS compares it: case-insensitive, the root's trailing dot optional. */
function nameKey(name: string): string {
  return trimDot(name).toLowerCase();
}

/**
 * The names whose records answer the question: its own name and every name its CNAME chain leads to
 * in the answer section (RFC 1034 §4.3.2: a resolver follows CNAMEs). A record owned by any other
 * name answers nothing that was asked, whatever a server (or a forger) puts beside the answer.
 */
function chainOwners(answers: readonly packet.Answer[], question: string): Set<string> {
  const owners = new Set([nameKey(question)]);
  // Each pass adds at least one name or stops, so the answer count bounds the loop (a CNAME loop too).
  for (let grew = true; grew; ) {
    grew = false;
    for (const a of answers)
      if (
        a.type === 'CNAME' &&
        owners.has(nameKey(a.name)) &&
        typeof a.data === 'string' &&
        !owners.has(nameKey(a.data))
      ) {
        owners.add(nameKey(a.data));
        grew = true;
      }
  }
  return owners;
}

function answered(reply: packet.DecodedPacket, asked: AskedQuestion): Attempt {
  const all = reply.answers ?? [];
  const owners = chainOwners(all, asked.name);
  const owned = all.filter((a) => owners.has(nameKey(a.name)));
  const strays = [...new Set(all.filter((a) => !owners.has(nameKey(a.name))).map((a) => safe(trimDot(a.name))))];
  if (owned.length === 0 && strays.length > 0)
    return {
      observed: 'error',
      reason: 'protocol',
      detail: `the reply from ${asked.where} answers only other names (${strays.slice(0, MAX_LISTED).join(', ')}), not ${safe(asked.name)}`,
    };
  const addresses = owned
    .filter((a) => a.type === asked.type)
    .map((a) => ('data' in a && typeof a.data === 'string' ? safe(a.data) : ''))
    .filter((a) => a !== '');
  const truncated = ((reply.flags ?? 0) & packet.TRUNCATED_RESPONSE) !== 0 ? ' (truncated)' : '';
  if (addresses.length === 0)
    return {
      observed: 'allow',
      reason: 'resolved',
      detail: `NOERROR with no ${asked.type} records${truncated}: ${asked.where} answered, the name has no such address`,
    };
  const more = addresses.length > MAX_LISTED ? ` and ${addresses.length - MAX_LISTED} more` : '';
  return {
    observed: 'allow',
    reason: 'resolved',
    detail: `${addresses.slice(0, MAX_LISTED).join(', ')}${more}${truncated} from ${asked.where}`,
  };
}

function trimDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Text from a reply made safe for a terminal: printable ASCII only, at most 64 characters. */
function safe(text: string): string {
  const cut = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return cut.replace(/[^\x20-\x7e\u2026]/g, '?');
}

function hexStart(bytes: Buffer): string {
  return `0x${bytes.subarray(0, 12).toString('hex')}${bytes.length > 12 ? '…' : ''}`;
}
