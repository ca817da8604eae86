// Reads and validates the time app's configuration from environment variables.

/** The settings the time app runs with. */
export interface AppConfig {
  /** Host name or address of the Redis server. */
  readonly redisHost: string;
  /** TCP port of the Redis server. */
  readonly redisPort: number;
  /** Optional Redis password (AUTH); undefined when Redis needs none. */
  readonly redisPassword: string | undefined;
  /** HTTP port to listen on; 0 lets the kernel pick a free one (the chosen port is logged). */
  readonly port: number;
  /** The pod's name (POD_NAME, from the downward API): every reply says who answered in `x-pod-name`. */
  readonly podName?: string;
}

/** Raised when an environment variable holds a value the app cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The seed's Service name for Redis, kept so the app works unchanged in the lab. */
export const DEFAULT_REDIS_ENDPOINT = 'redis-svc.d-redis.svc.cluster.local';
/** Flask's default port, which the seed's Service targets. */
export const DEFAULT_PORT = 5000;
export const DEFAULT_REDIS_PORT = 6379;

// A DNS name or IPv4/IPv6 literal: letters, digits, dots, dashes, underscores, colons.
const HOST_PATTERN = /^[A-Za-z0-9_.:-]{1,253}$/;

function parsePort(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  // Only plain decimal digits: Number() would also accept "0x10", "1e3" or " 80 ".
  if (!/^[0-9]{1,5}$/.test(raw)) {
    throw new ConfigError(`${name} must be a port number (${min}-65535), got ${JSON.stringify(raw)}`);
  }
  const value = Number(raw);
  if (value < min || value > 65535) {
    throw new ConfigError(`${name} must be a port number (${min}-65535), got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Builds the configuration from an environment (normally `process.env`).
 * Unset or empty variables take the seed's defaults.
 * @throws {ConfigError} naming the first variable with an unusable value
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const rawHost = env.REDIS_ENDPOINT;
  const redisHost = rawHost === undefined || rawHost === '' ? DEFAULT_REDIS_ENDPOINT : rawHost;
  if (!HOST_PATTERN.test(redisHost)) {
    throw new ConfigError(`REDIS_ENDPOINT must be a host name or IP address, got ${JSON.stringify(redisHost)}`);
  }
  const redisPort = parsePort('REDIS_PORT', env.REDIS_PORT, DEFAULT_REDIS_PORT, 1);
  const port = parsePort('PORT', env.PORT, DEFAULT_PORT, 0);
  const password = env.REDIS_PASSWORD;
  const podName = env.POD_NAME;
  // A pod name is a DNS-1123 subdomain: anything else would not be one, nor a safe header value.
  if (podName !== undefined && podName !== '' && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(podName)) {
    throw new ConfigError(`POD_NAME must be a pod name (DNS-1123 subdomain), got ${JSON.stringify(podName)}`);
  }
  return {
    redisHost,
    redisPort,
    redisPassword: password === undefined || password === '' ? undefined : password,
    port,
    ...(podName ? { podName } : {}),
  };
}
