// krew's structural checks of a plugin manifest, as kubernetes-sigs/krew's internal/index/validation/validate.go has them.

/** A krew platform entry (pkg/index/types.go `Platform`). */
export interface KrewPlatform {
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: { from?: string; to?: string }[];
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string }[] };
}

/** pkg/constants: CurrentAPIVersion and PluginKind. */
const API_VERSION = 'krew.googlecontainertools.github.com/v1alpha2';
const WINDOWS_FORBIDDEN = [
  'CON',
  'PRN',
  'AUX',
  'NUL',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`COM${n}`, `LPT${n}`]),
];

/** `validatePlatform` (uri, sha256 `^[a-f0-9]{64}$`, bin, files, selector with keys os/arch only). */
function platformErrors(p: KrewPlatform): string[] {
  if (!p.uri) return ['`uri` has to be set'];
  if (!p.sha256) return ['`sha256` sum has to be set'];
  if (!/^[a-f0-9]{64}$/.test(p.sha256)) return [`\`sha256\` value ${p.sha256} is not valid`];
  if (!p.bin) return ['`bin` has to be set'];
  if (p.files !== undefined) {
    if (p.files.length === 0) return ['`files` has to be unspecified or non-empty'];
    if (p.files.some((f) => !f.from || !f.to)) return ['`from` and `to` have to be set'];
  }
  const sel = p.selector;
  if (!sel) return ['nil selector is not supported'];
  if (!sel.matchLabels && !sel.matchExpressions?.length) return ['empty selector is not supported'];
  const keys = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];
  const bad = keys.find((k) => k !== 'os' && k !== 'arch');
  if (bad) return [`key "${bad}" not supported`];
  if (sel.matchLabels && Object.keys(sel.matchLabels).length === 0) return ['`matchLabels` specified but empty'];
  return [];
}

/**
 * `ValidatePlugin(name, p)`: what krew checks before it installs a manifest or accepts it in an index. The
 * version goes through internal/installation/semver.Parse: a leading `v`, then semantic version.
 */
export function krewErrors(name: string, p: Record<string, unknown>): string[] {
  const spec = (p.spec ?? {}) as { shortDescription?: string; platforms?: KrewPlatform[]; version?: string };
  const meta = (p.metadata ?? {}) as { name?: string };
  if (p.apiVersion !== API_VERSION) return [`apiVersion=${String(p.apiVersion)} not supported`];
  if (p.kind !== 'Plugin') return [`kind=${String(p.kind)}, only Plugin is supported`];
  if (!/^[\w-]+$/.test(name) || WINDOWS_FORBIDDEN.some((f) => f.toLowerCase() === name.toLowerCase())) {
    return [`the plugin name ${name} is not allowed`];
  }
  if (meta.name !== name) return [`plugin should be named ${name}, not ${String(meta.name)}`];
  if (!spec.shortDescription) return ['should have a short description'];
  if (/[\r\n]/.test(spec.shortDescription)) return ['should not have line breaks in short description'];
  if (!spec.platforms?.length) return ['should have a platform specified'];
  if (!spec.version) return ['should have a version specified'];
  // k8s.io/apimachinery/pkg/util/version ParseSemantic, after semver.Parse's leading "v".
  if (!/^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(spec.version)) {
    return [`failed to parse plugin version ${spec.version}`];
  }
  return spec.platforms.flatMap((pl) => platformErrors(pl).map((e) => `platform is badly constructed: ${e}`));
}
