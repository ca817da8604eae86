// The time store: one shared ioredis connection with bounded timeouts and self-healing reconnects.
import { Redis, ReplyError } from 'ioredis';
import type { AppConfig } from './config.ts';
import type { Logger } from './log.ts';

/** The Redis key the seed's app keeps the time under. */
export const TIME_KEY = 'time';

/** Why a store operation failed: Redis unreachable/too slow, or Redis answered with an error. */
export type StoreFailure = 'unavailable' | 'error';

/** A failed store operation; `kind` decides the HTTP status, `message` is for logs only. */
export class StoreError extends Error {
  override name = 'StoreError';
  readonly kind: StoreFailure;

  constructor(kind: StoreFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

// Bounds chosen so a request never waits much longer than one second for Redis.
const CONNECT_TIMEOUT_MS = 1000;
const COMMAND_TIMEOUT_MS = 1000;
const MAX_RECONNECT_DELAY_MS = 500;

/** Reads and writes the stored time; every method rejects with a {@link StoreError}. */
export class TimeStore {
  readonly #client: Redis;
  readonly #log: Logger;
  #lastError = '';
  #connected = false;
  #closing = false;

  constructor(config: AppConfig, log: Logger) {
    this.#log = log;
    this.#client = new Redis({
      host: config.redisHost,
      port: config.redisPort,
      password: config.redisPassword,
      db: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // Fail fast while disconnected instead of queueing requests until Redis returns.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Keep reconnecting forever, quickly: the app must heal by itself when Redis comes back.
      retryStrategy: (attempt) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
      keepAlive: 10_000,
    });
    this.#client.on('ready', () => {
      this.#connected = true;
      this.#lastError = '';
      this.#log.info('redis ready', { redis: `${config.redisHost}:${config.redisPort}` });
    });
    // Log each distinct error once per outage, not on every reconnect attempt.
    this.#client.on('error', (error: Error) => {
      if (this.#closing || error.message === this.#lastError) return;
      this.#lastError = error.message;
      this.#log.warn('redis error', { error: error.message });
    });
    this.#client.on('close', () => {
      if (this.#closing || !this.#connected) return;
      this.#connected = false;
      this.#log.warn('redis connection lost');
    });
  }

  async #run<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      if (cause instanceof ReplyError) throw new StoreError('error', `redis refused to ${what}: ${message}`, { cause });
      // A timeout on an open connection means packets vanish (e.g. a network policy now drops
      // them): start a fresh connection rather than wait for TCP to give up on the old one.
      if (message.includes('timed out') && this.#client.status === 'ready') {
        this.#log.warn('redis timed out; reconnecting', { command: what });
        this.#client.disconnect(true);
      }
      throw new StoreError('unavailable', `unable to ${what}: ${message}`, { cause });
    }
  }

  /**
   * Resolves true once connected to Redis, or false after `timeoutMs` (it keeps trying after).
   * Lets the app start serving with its connection already up rather than answer 503 first.
   */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.#client.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ready: boolean): void => {
        clearTimeout(timer);
        this.#client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#client.on('ready', onReady);
    });
  }

  /** The stored time, or null when none is stored. */
  get(): Promise<string | null> {
    return this.#run('read the time', () => this.#client.get(TIME_KEY));
  }

  /** Stores `value` as the time and returns it. */
  async set(value: string): Promise<string> {
    await this.#run('store the time', () => this.#client.set(TIME_KEY, value));
    return value;
  }

  /** Deletes the stored time. */
  async reset(): Promise<void> {
    await this.#run('delete the time', () => this.#client.del(TIME_KEY));
  }

  /** Resolves when Redis answers PING with PONG. */
  async ping(): Promise<void> {
    const reply = await this.#run('ping redis', () => this.#client.ping());
    if (reply !== 'PONG') throw new StoreError('error', `redis answered PING with ${JSON.stringify(reply)}`);
  }

  /** Closes the connection: QUIT when connected (lets Redis finish), otherwise drop it. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#client.status === 'ready') {
      try {
        await this.#client.quit();
        return;
      } catch {
        // fall through: the connection is already unusable
      }
    }
    this.#client.disconnect(false);
  }
}
