// Running host commands for the lab (ip, nft …): failures become errors that say which command and why.

import { execFile, spawnSync } from 'node:child_process';

/** Runs a command to completion and returns stdout; throws with the command line and its stderr. */
export function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // The message carries the command and what it said; the exec error itself adds nothing.
        if (error)
          reject(
            new Error(
              `${command} ${args.join(' ')}: ${(stderr || error.message).trim().split('\n').slice(0, 3).join(' ')}`,
            ),
          );
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs a command and reports only whether it succeeded (for idempotent cleanup). */
export async function attempt(command: string, args: readonly string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}

/** True when a program is on PATH. */
export function hasProgram(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}
