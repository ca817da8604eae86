// `npm run app`: builds the time app, prepares its runtime and runs it in the foreground.
import { spawn } from 'node:child_process';
import { APP_DIST_DIR, buildApp } from './build.mjs';
import { appCommand, prepareRuntime } from './runtime.ts';

async function main(): Promise<number> {
  await buildApp();
  const { rootfs } = await prepareRuntime();
  const { argv, env } = appCommand({ rootfs, appDir: APP_DIST_DIR, env: process.env });
  const [command = '', ...args] = argv;
  const child = spawn(command, args, { env, stdio: 'inherit' });
  // Ctrl-C reaches the app through the terminal's process group; forward what only we receive.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  return new Promise((resolve, reject) => {
    child.on('error', (cause) => reject(new Error(`unable to start ${command}`, { cause })));
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}${cause}\n`);
    process.exit(1);
  },
);
