// A bare HTTPS client for tests that speak to the fake API server directly (no client library between):
// one request with its answer, or a watch whose events are collected as they arrive, one JSON a line.

import { request } from 'node:https';
import type { FakeApiServer } from './apiserver.ts';

type Json = Record<string, any>;

/** An answer: status code, headers and the body parsed as JSON (or the text, when it is not JSON). */
export interface Answer {
  readonly code: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Json;
}

/** Sends one request to the fake; `body` is sent as JSON unless it is a string. */
export function call(
  fake: FakeApiServer,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${fake.url}${path}`,
      {
        method,
        ca: fake.caCertificate,
        headers: { authorization: `Bearer ${fake.token}`, 'content-type': contentType },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Json;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = { text };
          }
          resolve({ code: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/** An open watch: its events so far, and how it ended. */
export interface OpenWatch {
  readonly code: Promise<number>;
  readonly events: { type: string; object: Json }[];
  /** Resolves when the stream ends: `error` when the connection broke rather than ended. */
  readonly ended: Promise<{ error?: Error }>;
  close(): void;
}

/** Opens a watch (`path` with its query, `watch=true` included). */
export function openWatch(fake: FakeApiServer, path: string): OpenWatch {
  const events: { type: string; object: Json }[] = [];
  let setCode: (code: number) => void = () => {};
  let setEnded: (how: { error?: Error }) => void = () => {};
  const code = new Promise<number>((resolve) => (setCode = resolve));
  const ended = new Promise<{ error?: Error }>((resolve) => (setEnded = resolve));
  const req = request(`${fake.url}${path}`, {
    ca: fake.caCertificate,
    headers: { authorization: `Bearer ${fake.token}` },
  });
  req.on('response', (res) => {
    setCode(res.statusCode ?? 0);
    let buffered = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) events.push(JSON.parse(line));
        newline = buffered.indexOf('\n');
      }
    });
    res.on('end', () => setEnded({}));
    res.on('error', (error) => setEnded({ error }));
    res.on('aborted', () => setEnded({ error: new Error('aborted') }));
  });
  req.on('error', (error) => {
    setCode(0);
    setEnded({ error });
  });
  req.end();
  return { code, events, ended, close: () => req.destroy() };
}

/** `promise`, or a failure naming `what` once `ms` have passed (a stream that should end and does not). */
export function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
