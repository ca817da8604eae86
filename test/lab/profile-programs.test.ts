// Which program stands in for an image: images known by name, a lab profile's choices first, else
// prober's synthetic target — and the repository's manifests planned with and without its profile.

import { join } from 'node:path';
import t from 'tap';
import { loadLabProfile } from '../../src/config/load-lab-profile.ts';
import { planLab } from '../../src/lab/lab.ts';
import { imageRepository } from '../../src/lab/programs/program.ts';
import { programKindFor } from '../../src/lab/programs/recipes.ts';
import { DEFAULT_LAB_ROOT } from '../../src/lab/state.ts';
import type { ProgramChoice } from '../../src/model/lab-profile.ts';
import { inputIo } from '../helpers/input-io.ts';
import { ROOT } from '../helpers/prober.ts';

const REPO_CHOICE: ProgramChoice[] = [{ image: 'ghcr.io/prober-dev/time-app', program: 'time-app' }];

/** [row name, image, choices, program] */
const rows: [string, string, ProgramChoice[], string][] = [
  ['official redis, by digest', 'redis:7.4.6@sha256:a9cc41d6', [], 'redis'],
  ['valkey runs redis-server', 'docker.io/valkey/valkey:8', [], 'redis'],
  ['httpd from a mirror', 'mirror.example:5000/library/httpd:2.4', [], 'apache'],
  ['the webdis image runs webdis', 'nicolas/webdis:0.1.22', [], 'webdis'],
  ['the time app without a profile: nothing says what it runs', 'ghcr.io/prober-dev/time-app:2.0.0', [], 'synthetic'],
  ['the time app with the repository profile', 'ghcr.io/prober-dev/time-app:2.0.0', REPO_CHOICE, 'time-app'],
  [
    'another registry\'s "time-app" is not the one the profile names',
    'registry.example/other/time-app:1',
    REPO_CHOICE,
    'synthetic',
  ],
  [
    'a short name matches the last segment',
    'registry.example/other/time-app:1',
    [{ image: 'time-app', program: 'time-app' }],
    'time-app',
  ],
  [
    'a registry port is part of the repository',
    'localhost:5000/shop/cache:3',
    [{ image: 'localhost:5000/shop/cache', program: 'redis' }],
    'redis',
  ],
  ['a choice overrides what prober knows', 'redis:7', [{ image: 'redis', program: 'synthetic' }], 'synthetic'],
  ['an unknown image', 'traefik:v3.5.3', [], 'synthetic'],
  ['a name that is an Object property', 'example.com/constructor:1', [], 'synthetic'],
];

for (const [name, image, choices, program] of rows) {
  t.test(name, async (t) => {
    t.equal(programKindFor(image, choices), program);
  });
}

t.test('imageRepository drops tag and digest, keeps a registry port', async (t) => {
  t.equal(imageRepository('localhost:5000/a/b:1@sha256:00'), 'localhost:5000/a/b');
  t.equal(imageRepository('localhost:5000/a/b'), 'localhost:5000/a/b');
  t.equal(imageRepository('redis'), 'redis');
});

const kinds = (programs: readonly { pod: string; container: string; kind: string }[]) =>
  Object.fromEntries(programs.map((p) => [`${p.pod}/${p.container}`, p.kind]));

t.test("the repository's manifests without a profile: the time app's pod runs the synthetic target", async (t) => {
  const { programs } = await planLab(DEFAULT_LAB_ROOT, 'pt-plan', [join(ROOT, 'k8s')], inputIo(), ['prober'], {
    missing: 'no runtime here (not needed without the profile)',
  });
  t.same(kinds(programs), {
    'traefik-ingress-controller-0/traefik': 'synthetic',
    'apacherr-0/httpd': 'apache',
    'apacherr-0/webdis': 'webdis',
    'redis-0/redis': 'redis',
    'pythonapp-0/time-app': 'synthetic',
    // prober's own watch controller (k8s/prober/watch/): an image the lab has no program for.
    'prober-watch-0/prober': 'synthetic',
    // Every lab's cluster DNS (kube-system/kube-dns), whatever the manifests.
    'kube-dns-0/dnsmasq': 'dns',
  });
});

t.test("with the repository's profile the time app is chosen (and needs its runtime)", async (t) => {
  const profile = await loadLabProfile(join(ROOT, 'policies', 'lab-profile.yaml'), inputIo());
  await t.rejects(
    planLab(
      DEFAULT_LAB_ROOT,
      'pt-plan',
      profile.manifests ?? [],
      inputIo(),
      ['prober'],
      { missing: 'its runtime is missing' },
      profile.programs,
    ),
    /c-app-count\/pythonapp-0 runs the time app, but its runtime is missing/,
  );
  const { programs } = await planLab(
    DEFAULT_LAB_ROOT,
    'pt-plan',
    profile.manifests ?? [],
    inputIo(),
    ['prober'],
    { launch: (env) => ({ argv: ['node', 'server.cjs'], env }) },
    profile.programs,
  );
  t.equal(kinds(programs)['pythonapp-0/time-app'], 'time-app');
});
