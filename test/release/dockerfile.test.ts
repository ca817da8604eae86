// The Dockerfile's rules, checked statically (no container engine on the build machines): multi-arch from the
// release archives, base pinned by digest, licences inside, non-root, no shell needed.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PLATFORMS } from '../../release/platforms.mjs';
import { ROOT } from '../helpers/prober.ts';

interface Instruction {
  line: number;
  op: string;
  args: string;
}

/** Dockerfile instructions as BuildKit's parser reads them: comments dropped, `\` continuations joined. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: Instruction | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    const body = line.endsWith('\\') ? line.slice(0, -1).trim() : line;
    if (pending) pending.args = `${pending.args} ${body}`.trim();
    else {
      const [op = '', ...rest] = body.split(/\s+/);
      pending = { line: i + 1, op: op.toUpperCase(), args: rest.join(' ') };
    }
    if (!line.endsWith('\\')) {
      out.push(pending);
      pending = undefined;
    }
  });
  return out;
}

const dockerfile = instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const froms = dockerfile.filter((i) => i.op === 'FROM');
const stageNames = froms.map((f) => /\bAS\s+(\S+)$/i.exec(f.args)?.[1]).filter((n) => n !== undefined);
const lastFrom = dockerfile.lastIndexOf(froms.at(-1) as Instruction);
const finalStage = dockerfile.slice(lastFrom);

t.test('every base image from a registry is pinned by digest', async (t) => {
  for (const from of froms) {
    const image = from.args.replace(/^--platform=\S+\s+/, '').split(/\s+/)[0] ?? '';
    if (image === 'scratch' || stageNames.includes(image) || image.startsWith('release-$')) continue;
    t.match(image, /^[a-z0-9./-]+(:[\w.-]+)?@sha256:[a-f0-9]{64}$/, `line ${from.line}: ${image}`);
  }
  t.ok(froms.length > 1, 'there are stages to check');
});

t.test('multi-arch: TARGETARCH picks the archive of each linux platform the release builds', async (t) => {
  const args = dockerfile.slice(0, dockerfile.indexOf(froms[0] as Instruction)).filter((i) => i.op === 'ARG');
  t.ok(
    args.some((a) => a.args === 'TARGETARCH'),
    'ARG TARGETARCH before the first FROM',
  );
  t.ok(
    args.some((a) => a.args === `VERSION=${version}`),
    `ARG VERSION defaults to package.json's ${version}`,
  );
  t.ok(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a template
    froms.some((f) => f.args === 'release-${TARGETARCH} AS release'),
    'a stage named after TARGETARCH',
  );
  const linux = PLATFORMS.filter((p) => p.goos === 'linux');
  t.same(linux.map((p) => p.goarch).sort(), ['amd64', 'arm64']);
  for (const platform of linux) {
    const at = dockerfile.findIndex((i) => i.op === 'FROM' && i.args === `scratch AS release-${platform.goarch}`);
    t.ok(at >= 0, `a stage release-${platform.goarch}`);
    const next = dockerfile.findIndex((i, n) => n > at && i.op === 'FROM');
    const adds = dockerfile.slice(at, next).filter((i) => i.op === 'ADD');
    t.same(
      adds.map((a) => a.args),
      [`dist/release/prober-\${VERSION}-${platform.id}.tar.gz /release/`],
      `release-${platform.goarch} unpacks prober-<version>-${platform.id}.tar.gz, the name release.mjs writes`,
    );
  }
});

t.test('the image: the binary on PATH, the licences inside, non-root, exec form, no shell needed', async (t) => {
  const copies = finalStage.filter((i) => i.op === 'COPY').map((i) => i.args);
  t.ok(copies.includes('--from=release /release/prober /usr/local/bin/prober'), 'the binary');
  t.ok(
    copies.some((c) => /\/release\/LICENSE\b/.test(c) && /THIRD-PARTY-NOTICES\.txt/.test(c)),
    'LICENSE and THIRD-PARTY-NOTICES.txt',
  );
  const user = finalStage.filter((i) => i.op === 'USER').at(-1);
  t.match(user?.args, /^[1-9]\d*:[1-9]\d*$/, 'a numeric non-root user and group (runAsNonRoot can check it)');
  const entrypoint = finalStage.find((i) => i.op === 'ENTRYPOINT');
  t.same(JSON.parse(entrypoint?.args ?? 'null'), ['/usr/local/bin/prober'], 'exec form: no /bin/sh -c');
  t.same(JSON.parse(finalStage.find((i) => i.op === 'CMD')?.args ?? 'null'), ['--help']);
  t.same(
    dockerfile.filter((i) => i.op === 'RUN' || i.op === 'SHELL').map((i) => i.line),
    [],
    'no RUN or SHELL in any stage: nothing needs a shell',
  );
});

t.test('.dockerignore lets the linux archives into the build context, and nothing else', async (t) => {
  const rules = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  t.same(rules, ['*', '!dist/release/prober-*-linux-*.tar.gz']);
});
