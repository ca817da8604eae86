// Entry point of the time app: configuration, HTTP server, Redis store, graceful shutdown.
import { Server } from 'hyper-express';
import { type AppConfig, ConfigError, loadConfig } from './config.ts';
import { Logger } from './log.ts';
import { registerRoutes } from './routes.ts';
import { TimeStore } from './store.ts';
import { APP_VERSION } from './version.ts';

/** How long in-flight requests may take to finish after SIGTERM before the app exits anyway. */
const DRAIN_DEADLINE_MS = 10_000;
/** How long start-up waits for the first Redis connection before listening anyway. */
const STARTUP_REDIS_WAIT_MS = 1000;

function readConfig(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One line, no stack: this is an operator mistake, not a bug.
    process.stderr.write(`time-app: invalid configuration: ${error.message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = new Logger();
  const store = new TimeStore(config, log);
  // auto_close off: hyper-express would otherwise drop the listener on SIGTERM without draining.
  const server = new Server({ auto_close: false, max_body_length: 16 * 1024 });
  registerRoutes(server, store, log, config.podName);
  // Give Redis a moment so the first requests find a connection; never block start-up on it.
  if (!(await store.waitUntilReady(STARTUP_REDIS_WAIT_MS))) log.warn('starting without Redis');

  try {
    await server.listen(config.port, '0.0.0.0');
  } catch (cause) {
    log.error('unable to listen', { port: config.port, error: String(cause) });
    log.flush();
    await store.close();
    process.exit(1);
  }
  log.info('listening', { port: server.port, version: APP_VERSION, redis: `${config.redisHost}:${config.redisPort}` });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const deadline = setTimeout(() => {
      log.error('in-flight requests did not finish in time', { deadlineMs: DRAIN_DEADLINE_MS });
      log.flush();
      process.exit(1);
    }, DRAIN_DEADLINE_MS);
    deadline.unref();
    // Stop accepting connections now; shutdown() then waits for in-flight requests to complete.
    server.close();
    void server
      .shutdown()
      .then(async () => {
        // Idle keep-alive connections would keep the process alive: close them all.
        server.uws_instance.close();
        await store.close();
        log.info('stopped');
        log.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error('shutdown failed', { error: String(error) });
        log.flush();
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`time-app: unable to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
