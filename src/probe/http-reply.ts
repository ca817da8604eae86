// Reading an HTTP reply as it arrives: the status decides; the wire's first bytes describe broken or unfinished replies.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_DENY_STATUS, DEFAULT_EXPECT_STATUS, type StatusSet, statusIn } from '../model/test-spec.ts';
import type { Attempt } from './classify.ts';

/** How to judge HTTP statuses for one target. */
export interface HttpJudgement {
  readonly expectStatus?: StatusSet | undefined;
  readonly denyStatus?: StatusSet | undefined;
}

/** The largest reply head (status line and headers) a probe accepts: Node's own default, stated here. */
export const MAX_HEAD_BYTES = 16 * 1024;

/**
 * How long the body may take to show its first bytes once the status is known. It only feeds the
 * detail, so a slow, short or endless body delays the verdict by at most this much.
 */
const BODY_WAIT_MS = 100;

const SNIPPET_CHARS = 120;
const HEAD_KEPT = 256;
const STATUS_LINE = /^HTTP\/\d\.\d ([1-5]\d\d)(?: |$)/;

/** The first bytes of a reply as they came off the wire (at most 256, leading blank lines dropped). */
export interface ReplyStart {
  head: string;
}

/**
 * Copies the first bytes the peer sends. Node's parser reports only that a reply was broken, and
 * nothing until the headers are complete; these bytes say which status line, if any, arrived.
 * Prepended so it sees each chunk before the parser can fail on it.
 */
export function watchReplyStart(socket: Socket): ReplyStart {
  const start: ReplyStart = { head: '' };
  const onData = (chunk: Buffer): void => {
    start.head = (start.head + chunk.toString('latin1', 0, HEAD_KEPT)).replace(/^(\r?\n)+/, '').slice(0, HEAD_KEPT);
    if (start.head.includes('\n') || start.head.length >= HEAD_KEPT) socket.off('data', onData);
  };
  socket.prependListener('data', onData);
  return start;
}

/** The judgement of a final status: expected statuses allow, L7-deny statuses deny, anything else is an error. */
export function judge(status: number, snippet: string, judgement: HttpJudgement, note?: string): Attempt {
  const reason = `http-${status}` as const;
  const detail = (snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`) + (note ? ` (${note})` : '');
  if (statusIn(judgement.expectStatus ?? DEFAULT_EXPECT_STATUS, status)) return { observed: 'allow', reason, detail };
  if (statusIn(judgement.denyStatus ?? DEFAULT_DENY_STATUS, status))
    return { observed: 'deny', reason, detail: `${detail} (${denyBasis(judgement.denyStatus)})` };
  return { observed: 'error', reason, detail: `${detail} (neither an expected nor a deny status)` };
}

/**
 * Why a status is a deny, for the detail. A status proves only that something answered with it: the
 * default deny statuses are also what an app sends of its own (a login page, a forbidden path), so
 * a deny by default says so, and how a test file chooses.
 */
function denyBasis(denyStatus: StatusSet | undefined): string {
  if (denyStatus) return `a deny status of this target: ${denyStatus.join(', ')}`;
  return (
    `a deny by status alone: ${DEFAULT_DENY_STATUS.join(' and ')} are denies by default, and the app's own ` +
    `${DEFAULT_DENY_STATUS.join(' or ')} reads the same; set denyStatus to choose`
  );
}

/** The first body bytes, for the detail: its text so far at any moment, and when reading them is done. */
export interface BodySnippet {
  text(): string;
  readonly done: Promise<string>;
}

/**
 * Reads the first bytes of the body (e.g. "RBAC: access denied") until 120 characters, the end, a
 * cut-off or `waitMs`, whichever comes first; never waits for the rest of a slow or endless body.
 */
export function bodySnippet(res: IncomingMessage, waitMs = BODY_WAIT_MS): BodySnippet {
  let raw = '';
  let cutOff = false;
  const text = (): string => {
    const quoted = raw.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_CHARS);
    return cutOff ? `${quoted} (body cut off)`.trimStart() : quoted;
  };
  const done = new Promise<string>((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      res.off('data', onData);
      resolve(text());
    };
    const onData = (chunk: Buffer): void => {
      raw += chunk.toString('utf8', 0, Math.min(chunk.length, 4 * SNIPPET_CHARS));
      if (raw.length >= SNIPPET_CHARS) finish();
    };
    const ended = (): void => {
      // `complete` is false when the peer closed or reset before the body it announced was all there.
      cutOff = !res.complete && raw.length < SNIPPET_CHARS;
      finish();
    };
    const timer = setTimeout(finish, waitMs);
    res.on('data', onData);
    res.once('end', finish);
    res.once('error', ended);
    res.once('close', ended);
  });
  return { text, done };
}

/**
 * A reply without a final status when the deadline passed or the connection ended (`when` says which):
 * a final status line decides even with unfinished headers; an interim 1xx or a partial status line
 * proves an HTTP peer answered, so it is a protocol error; nothing at all is for the caller (undefined).
 */
export function unfinishedReply(
  start: ReplyStart,
  interim: number | undefined,
  judgement: HttpJudgement,
  when: string,
): Attempt | undefined {
  const status = statusLineOf(start.head);
  const firstStatus = interim ?? (status !== undefined && status < 200 ? status : undefined);
  if (firstStatus !== undefined)
    return {
      observed: 'error',
      reason: 'protocol',
      detail: `interim HTTP ${firstStatus}, then no final status ${when}`,
    };
  if (status !== undefined) return judge(status, '', judgement, `headers still incomplete ${when}`);
  if (!start.head) return undefined;
  return {
    observed: 'error',
    reason: 'protocol',
    detail: `an unfinished status line ${quote(firstLine(start.head))} ${when}`,
  };
}

/**
 * A reply Node's parser rejected, described from the wire: no status line at all (HTTP/0.9 or
 * another protocol), an invalid status line, headers over the limit, or malformed headers.
 */
export function brokenReply(
  error: Error & { reason?: unknown; code?: string | undefined; rawPacket?: unknown },
  start: ReplyStart,
): Attempt {
  const why = (typeof error.reason === 'string' ? error.reason : error.message).replace(/^Parse Error: /, '');
  const head = start.head || (Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1', 0, HEAD_KEPT) : '');
  const line = firstLine(head);
  const status = statusLineOf(head);
  let detail: string;
  if (!line.startsWith('HTTP/') && !'HTTP/'.startsWith(line)) {
    detail = `no status line (an HTTP/0.9 or non-HTTP reply): it starts ${quote(line)}`;
  } else if (status === undefined) {
    detail = `invalid status line ${quote(line)}: ${why}`;
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    detail = `HTTP ${status}, then headers larger than ${MAX_HEAD_BYTES / 1024} KiB`;
  } else {
    detail = `HTTP ${status}, then malformed headers: ${why}`;
  }
  return { observed: 'error', reason: 'protocol', detail };
}

/** The status of a complete, valid HTTP/1.x status line at the start of `head`. */
function statusLineOf(head: string): number | undefined {
  const end = head.indexOf('\n');
  if (end < 0) return undefined;
  const match = STATUS_LINE.exec(head.slice(0, end).replace(/\r$/, ''));
  return match ? Number(match[1]) : undefined;
}

function firstLine(head: string): string {
  const end = head.indexOf('\n');
  return (end < 0 ? head : head.slice(0, end)).replace(/\r$/, '');
}

/** Quotes peer bytes for a detail line: printable ASCII as is, everything else escaped, at most 80 characters. */
export function quote(text: string): string {
  const escaped = text
    .slice(0, 80)
    .replace(/["\\]/g, (c) => `\\${c}`)
    .replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}${text.length > 80 ? '…' : ''}"`;
}
