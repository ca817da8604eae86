// The krew plugin manifest of a release: `kubectl krew install --manifest=prober.krew.yaml` installs `kubectl prober`.

import { stringify } from 'yaml';

/** Where a release's archives are downloaded from: PROBER_RELEASE_URL, else the project's GitHub releases. */
export function releaseUrl(version, value = process.env.PROBER_RELEASE_URL) {
  const base = value || `https://github.com/prober-dev/prober/releases/download/v${version}`;
  // krew downloads over https only in practice; a plain-http uri in an index is refused by its reviewers.
  if (!/^https:\/\/[^\s]+$/.test(base)) throw new Error(`PROBER_RELEASE_URL: "${base}" is not an https:// URL`);
  return base.replace(/\/+$/, '');
}

/**
 * The manifest (apiVersion krew.googlecontainertools.github.com/v1alpha2, kind Plugin), one platform per
 * built archive. `bin` is the executable inside the archive; krew itself links it as `kubectl-prober`
 * (`kubectl-prober.exe` on Windows), which is how kubectl finds plugins on PATH.
 */
export function krewManifest({ version, archives, sums, base = releaseUrl(version) }) {
  const platforms = archives.map(({ platform, archive }) => ({
    selector: { matchLabels: { os: platform.goos, arch: platform.goarch } },
    uri: `${base}/${archive}`,
    sha256: sums.get(archive),
    bin: `prober${platform.exe}`,
  }));
  return stringify(
    {
      apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
      kind: 'Plugin',
      metadata: { name: 'prober' },
      spec: {
        version: `v${version}`,
        homepage: 'https://github.com/prober-dev/prober',
        shortDescription: 'Prove what NetworkPolicies and mesh authorization allow',
        description:
          'Runs real probes from the source workloads of a cluster (ephemeral containers or a probe pod), ' +
          'compares what was observed with what a test file expects, and explains each verdict from the ' +
          'policies. Also simulates the expected matrix from policy YAML without a cluster.',
        platforms,
      },
    },
    { lineWidth: 0 },
  );
}
