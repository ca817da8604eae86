// The documented `kubectl run` of prober, taken word for word from docs/cluster.md, src/cluster/README.md and
// `prober run --help` (so docs and test cannot drift), run by a real kubectl against the fake API server:
// the pod `kubectl run … --dry-run=client -o json` builds must pass the admission a real cluster applies
// to prober's namespace (k8s/prober/P-00-prober-ns.yaml enforces Pod Security "restricted"; the
// ServiceAccount plugin wants `prober` to exist where the pod is), and the command must keep prober's
// JSON alone on stdout (`--rm` without `--quiet` prints `pod "prober" deleted` there).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { cli } from '../helpers/cli-in-process.ts';
import { ROOT } from '../helpers/prober.ts';
import { FakeApiServer } from './fake/apiserver.ts';
import { kubectl } from './fake/kubectl.ts';
import { proberRbac } from './fake/lab.ts';

/** Shell words of a command as sh reads them: quotes, backslash-newline; it ends at an unquoted `<` or `|`. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (ch === '\\' && text[i + 1] === '\n') i += 1;
    else if (ch === '\\') word = (word ?? '') + (text[++i] ?? '');
    else if (ch === '<' || ch === '|') break;
    else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + ch;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The `kubectl … run prober …` command in `text`: from its first line through its continuations. */
function documentedCommand(text: string, where: string): string[] {
  const start = text.search(/^[ \t]*kubectl [^\n]*\brun prober\b/m);
  if (start < 0) throw new Error(`${where}: no kubectl run command`);
  const lines = text.slice(start).split('\n');
  let command = '';
  for (const line of lines) {
    command += `${line}\n`;
    // It goes on after a trailing backslash, or inside an open single quote.
    const quotes = (command.match(/'/g) ?? []).length;
    if (!line.trimEnd().endsWith('\\') && quotes % 2 === 0) break;
  }
  return shellWords(command);
}

/** The pod `kubectl run` would create: the command with `--dry-run=client -o json` (which refuses `--rm`/`-i`). */
function dryRun(words: readonly string[]): string[] {
  const args = words.slice(1);
  const end = args.indexOf('--');
  const flags = args.slice(0, end).filter((w) => !['--rm', '-i', '--stdin', '--quiet', '-q'].includes(w));
  return [...flags, '--dry-run=client', '-o', 'json', ...args.slice(end)];
}

const sources = async (): Promise<[string, string][]> => {
  const help = await cli(['run', '--help']);
  return [
    ['docs/cluster.md', readFileSync(join(ROOT, 'docs/cluster.md'), 'utf8')],
    ['src/cluster/README.md', readFileSync(join(ROOT, 'src/cluster/README.md'), 'utf8')],
    ['prober run --help', help.stdout],
  ];
};

t.test('the documented kubectl run builds a pod the prober namespace admits', async (t) => {
  const namespace = parse(readFileSync(join(ROOT, 'k8s/prober/P-00-prober-ns.yaml'), 'utf8'));
  for (const [where, text] of await sources()) {
    const words = documentedCommand(text, where);
    t.test(where, async (t) => {
      t.equal(words[0], 'kubectl');
      const n = words.findIndex((w) => w === '-n' || w === '--namespace');
      t.equal(words[n + 1], 'prober', 'runs in the prober namespace, where its service account is');
      t.ok(words.includes('--rm') && words.includes('--quiet'), '--rm with --quiet: nothing of kubectl on stdout');
      t.same(words.slice(words.indexOf('--')), ['--', 'run', '-f', '-', '-o', 'json'], 'the test on stdin, JSON out');
      const fake = await FakeApiServer.start(t);
      fake.addNamespace('prober', namespace.metadata.labels);
      fake.serviceAccounts.addFrom(proberRbac());
      const built = await kubectl(t, fake.kubeconfig, dryRun(words));
      t.equal(built.code, 0, built.stderr);
      const pod = JSON.parse(built.stdout);
      t.equal(pod.metadata.namespace, 'prober');
      t.equal(pod.spec.serviceAccountName, 'prober');
      t.match(
        pod.spec.containers,
        [{ name: 'prober', image: /^ghcr\.io\/prober-dev\/prober:/, args: ['run', '-f', '-', '-o', 'json'] }],
        'the overrides merged into the container kubectl generates, not replacing it',
      );
      // Admission only: the fake kubelet need not run the image.
      fake.kubelet.images.set(pod.spec.containers[0].image, 'slow-start');
      const created = await kubectl(
        t,
        fake.kubeconfig,
        ['create', '--validate=false', '-f', '-', '-o', 'name'],
        JSON.stringify(pod),
      );
      t.same([created.code, created.stdout, created.stderr], [0, 'pod/prober\n', ''], 'admitted, with no warning');
      t.ok(fake.pod('prober', 'prober'), 'stored');
    });
  }
});

t.test(
  'what the fake refuses: the pod kubectl run builds without securityContext, or in another namespace',
  async (t) => {
    const fake = await FakeApiServer.start(t);
    fake.addNamespace('prober', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    fake.addNamespace('default');
    fake.serviceAccounts.addFrom(proberRbac());
    const image = '--image=ghcr.io/prober-dev/prober:0.1.0';
    const bare = await kubectl(t, fake.kubeconfig, [
      '-n',
      'prober',
      'run',
      'prober',
      '--restart=Never',
      image,
      '--overrides={"spec":{"serviceAccountName":"prober"}}',
      '--dry-run=client',
      '-o',
      'json',
    ]);
    const refused = await kubectl(t, fake.kubeconfig, ['create', '--validate=false', '-f', '-'], bare.stdout);
    t.equal(refused.code, 1);
    t.equal(
      refused.stderr,
      'Error from server (Forbidden): error when creating "STDIN": pods "prober" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "prober" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "prober" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "prober" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "prober" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")\n',
      'the four restricted controls, as kubectl prints them',
    );
    const elsewhere = await kubectl(t, fake.kubeconfig, [
      'run',
      'prober',
      '--restart=Never',
      image,
      '--overrides={"spec":{"serviceAccountName":"prober"}}',
    ]);
    t.equal(
      elsewhere.stderr,
      'Error from server (Forbidden): pods "prober" is forbidden: error looking up service account default/prober: serviceaccount "prober" not found\n',
      'without -n prober, the ServiceAccount plugin refuses it',
    );
  },
);
