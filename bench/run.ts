// `npm run bench`: every benchmark section, printed as one JSON document. Targets are goals, not assertions.

import { benchAffinity } from './affinity.ts';
import { benchCommands } from './commands.ts';
import { benchLab } from './lab.ts';
import { benchDualStack } from './lab-dualstack.ts';
import { benchLint } from './lint.ts';
import { benchLiveMemory } from './live-memory.ts';
import { benchLiveRead } from './live-read.ts';
import { benchPolicy } from './policy.ts';
import { benchProbe } from './probe.ts';
import { benchRateLimit } from './rate-limit.ts';
import { benchUdp } from './udp.ts';
import { benchWriters } from './writers.ts';

const started = new Date().toISOString();
const sections: Record<string, object> = {};
sections.commands = benchCommands();
sections.writers = await benchWriters();
sections.probe = await benchProbe();
sections.udp = await benchUdp();
sections.rateLimit = await benchRateLimit();
sections.policy = await benchPolicy();
sections.lint = await benchLint();
sections.liveRead = await benchLiveRead();
sections.liveMemory = await benchLiveMemory();
sections.affinity = benchAffinity();
sections.lab = await benchLab((name, paths) => ({ dualStack: benchDualStack(name, paths, 1000, 5) }));
process.stdout.write(`${JSON.stringify({ started, node: process.version, sections }, null, 2)}\n`);
