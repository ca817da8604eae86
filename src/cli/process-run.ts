// Every command line but a bare `--version` (main.ts imports this): the one place that sets the process exit code.

import { closeSync, constants, openSync, statSync } from 'node:fs';
import type { ProcessIo } from '../model/io.ts';
import { wasInterrupted } from '../orchestration/interrupts.ts';
import { exitLeavingLookups, lookupsRunning, reserveLookupThreads } from '../probe/lookup.ts';
import { exitCodeAfter, watchOutput } from './output.ts';
import { runCli } from './program.ts';

// Before anything starts libuv's thread pool: hung name lookups must leave threads for file I/O.
reserveLookupThreads(process.env);

// A reader that stops early (`prober … | head`) or a full disk ends the writing, not the run: the
// verdict is still computed and becomes the exit code (trust rule 8). A closed stderr has no one to tell.
const stdout = watchOutput(process.stdout);
watchOutput(process.stderr);

// Until the command returns its verdict, any other way out (the event loop running dry while a write
// waits) exits 2, never 0. Set on the way out, not up front: commander's help reads process.exitCode.
let verdictKnown = false;
process.on('exit', (code) => {
  if (!verdictKnown && code === 0) process.exitCode = 2;
});

// SIGINT/SIGTERM while no run handles them (reading inputs: a FIFO with no writer yet, a cluster's
// objects): nothing was started that needs cleaning up, so stop at once with exit 2. A run in
// progress (withInterrupts) or `serve` has listeners of its own, and a signal after the first one a
// run handled ("send again to stop immediately") keeps its default action.
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  if (wasInterrupted()) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
    return;
  }
  process.stderr.write(`prober: interrupted by ${signal}; nothing was reported\n`);
  releaseFifos(process.argv.slice(2));
  process.exit(2);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/**
 * Lets a FIFO named on the command line go: opening one to read blocks a thread of libuv's pool until
 * a writer comes, and the process cannot exit while it does (its pool threads are joined at exit). A
 * writer that opens and closes at once ends that wait. Only FIFOs are opened, never waiting (O_NONBLOCK
 * fails with ENXIO when no one reads), and each word of the command line is only a candidate path.
 */
function releaseFifos(args: readonly string[]): void {
  for (const arg of args) {
    const path = arg.startsWith('--') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
    try {
      if (!statSync(path).isFIFO()) continue;
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // Not a path, gone, or no reader: nothing waits on it.
    }
  }
}

// The one place the process's streams, environment, directory and clock are read: every command gets
// them from here (`io`, with the logger runCli adds), so nothing below cli/ touches process.stdin,
// process.stdout, process.stderr, process.env or process.cwd().
const io: ProcessIo = {
  // A getter: Node opens its stdin stream on first use, and a command that reads no `-` leaves it unopened.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  now: Date.now,
};

void runCli(process.argv.slice(2), io).then((verdict) => {
  verdictKnown = true;
  const { code, message } = exitCodeAfter(verdict, stdout.failure());
  if (message) process.stderr.write(message);
  process.exitCode = code;
  // The command has cleaned up and printed its report; neither a run whose name lookups outlived their
  // deadlines (getaddrinfo cannot be cancelled) nor an interrupted one waits for leftovers.
  if (lookupsRunning() > 0) exitLeavingLookups(code, process.env);
  if (wasInterrupted()) process.exit(code);
});
