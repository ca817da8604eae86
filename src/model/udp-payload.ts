// What a `udp://` probe sends: the default datagram `prober serve` recognises, and the bounds on a target's own payload.

/**
 * The most a target's payload may hold, in bytes: 1,200 fits one unfragmented datagram on any IPv6
 * path (minimum MTU 1,280 minus the IPv6 and UDP headers), so a probe never depends on fragments
 * getting through a firewall that is not the one under test.
 */
export const MAX_UDP_PAYLOAD_BYTES = 1200;

/** The first line of the default datagram: how `prober serve` tells a prober probe from anything else. */
export const UDP_PROBE_MAGIC = 'PROBER-UDP-PROBE v1';

/**
 * The size of the default datagram, padded with spaces after the magic line. `prober serve` never
 * answers with more bytes than it received, so the default probe leaves room for its identity.
 */
export const UDP_PROBE_BYTES = 512;

/** The default payload of a `udp://` probe, as hex (the form plans carry): the magic line padded to 512 bytes. */
export const DEFAULT_UDP_PAYLOAD_HEX = Buffer.from(
  `${UDP_PROBE_MAGIC}\n`.padEnd(UDP_PROBE_BYTES, ' '),
  'latin1',
).toString('hex');

/** A payload as a test file writes it: text (sent as UTF-8) or hex for binary. */
export interface WrittenPayload {
  readonly text?: string | undefined;
  readonly hex?: string | undefined;
}

/** A checked payload in hex, or a one-line reason it is unusable. */
export type PayloadParse = { readonly ok: true; readonly hex: string } | { readonly ok: false; readonly error: string };

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Turns a written payload into the hex a plan carries; undefined when neither form was written. */
export function payloadHex(written: WrittenPayload): PayloadParse | undefined {
  if (written.text !== undefined && written.hex !== undefined)
    return { ok: false, error: 'write either payload (text) or payloadHex (binary), not both' };
  let hex: string;
  if (written.hex !== undefined) {
    const compact = written.hex.replace(/\s+/g, '');
    if (!HEX.test(compact)) return { ok: false, error: 'is not hex (pairs of 0-9, a-f; spaces allowed between)' };
    hex = compact.toLowerCase();
  } else if (written.text !== undefined) {
    hex = Buffer.from(written.text, 'utf8').toString('hex');
  } else {
    return undefined;
  }
  const bytes = hex.length / 2;
  if (bytes > MAX_UDP_PAYLOAD_BYTES)
    return { ok: false, error: `is ${bytes} bytes; a UDP payload may hold at most ${MAX_UDP_PAYLOAD_BYTES}` };
  return { ok: true, hex };
}
