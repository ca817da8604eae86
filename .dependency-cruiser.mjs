// The layer rules of src/ as a check (`npm run lint:layers`): cli → orchestration → backends → model, no cycles.
// Every edge between two layers that is allowed is named below; an edge that is not named fails the check.

/**
 * Node built-ins that compute without touching the outside world; model/ and policy/ may use only these,
 * so that they stay pure (every other built-in does I/O or reads the process: fs, net, child_process,
 * http*, dns, tls, dgram, process, os, worker_threads …).
 */
const PURE_BUILTINS =
  '^(node:)?(assert|assert/strict|buffer|path|path/posix|querystring|string_decoder|timers|timers/promises|url|util|util/types)$';

/**
 * A backend's allowed imports inside src/: itself, model/, and the peers listed (each one an edge the tree
 * already had when the check was written, kept because it points from a user of a service to its provider).
 */
function onlyImports(layer, peers, why) {
  const allowed = [layer, 'model', ...peers].join('|');
  return {
    name: `${layer}-imports-only-${peers.length ? peers.join('-') : 'model'}`,
    comment: `${layer}/ may import ${allowed.replaceAll('|', ', ')}: ${why}`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: '^src/', pathNot: `^src/(${allowed})/` },
  };
}

/**
 * The backend files cli/ may import, each for a reason that needs no orchestration: a flag's syntax or
 * default, an error type it prints, or the one thing main.ts does before any command. Anything else
 * cli/ needs from a backend goes through orchestration/.
 */
const CLI_BACKEND_IMPORTS = {
  'lab/names.ts': "`--name`'s check, before any command runs",
  'lab/preflight.ts': 'lab commands refuse to start without root, before any work',
  'report/formats.ts': 'the output flags: formats, styles, widths',
  'report/lint.ts': "`lint -o`'s formats",
  'report/escape.ts': 'error lines are escaped before they are printed',
  'cluster/agent-spec.ts': "`run`'s help and default name the agent image and containers",
  'cluster/probe-pod-resources.ts': "`run`'s resource bounds flag",
  'cluster/cluster-error.ts': 'a cluster error is printed and sets the exit code',
  'cluster/connection.ts': "the access flags' type (`--as`, `--as-group`, `--request-timeout`)",
  'cluster/impersonation.ts': '`--as-group` without `--as` is refused as a usage error, before any request',
  'config/config-error.ts': 'a config error is printed and sets the exit code',
  'probe/serve-limits.ts': "`serve`'s help states its limits",
  'probe/lookup.ts': 'main.ts reserves lookup threads and waits for them on exit',
  'policy/index.ts': "`--ignore-kind`'s syntax and `simulate`'s port protocol (policy/'s one entry)",
};

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle, through a static import or a lazy `await import()`, makes load order matter and layers meaningless.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import the check cannot resolve is an import it cannot judge.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'cli/ is the top: it parses arguments, calls one function, prints and sets the exit code.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'only-cli-imports-orchestration',
      comment:
        'orchestration/ sits between cli/ and the backends; a backend that calls it up would be a cycle of layers.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|orchestration)/' },
      to: { path: '^src/orchestration/' },
    },
    {
      name: 'cli-imports-of-backends',
      comment: `cli/ imports a backend only where CLI_BACKEND_IMPORTS says why: ${Object.keys(CLI_BACKEND_IMPORTS).join(', ')}.`,
      severity: 'error',
      from: { path: '^src/cli/' },
      to: {
        path: '^src/(lab|cluster|probe|config|policy|report)/',
        pathNot: `^src/(${Object.keys(CLI_BACKEND_IMPORTS)
          .map((file) => file.replaceAll('.', '\\.'))
          .join('|')})$`,
      },
    },
    {
      name: 'policy-through-its-index',
      comment:
        "policy/index.ts is the policy layer's one entry: what it does not export is internal to policy/ and " +
        'may change without touching its users.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/policy/' },
      to: { path: '^src/policy/', pathNot: '^src/policy/index\\.ts$' },
    },
    {
      name: 'model-imports-only-model',
      comment:
        'model/ is pure domain types and functions: model/ itself, the pure built-ins (PURE_BUILTINS: timers are ' +
        'not I/O, so the one wait helper lives here) and TypeBox, in which the probe plan schema is written.',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { pathNot: '^src/model/|^node_modules/typebox/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'model-and-policy-no-io',
      comment: 'model/ and policy/ import no I/O module: only the pure built-ins in PURE_BUILTINS.',
      severity: 'error',
      from: { path: '^src/(model|policy)/' },
      to: { dependencyTypes: ['core'], pathNot: PURE_BUILTINS },
    },
    {
      name: 'policy-packages',
      comment: 'policy/ is pure evaluation; a package it imports must be pure too, so each one is named here.',
      severity: 'error',
      from: { path: '^src/policy/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'],
        pathNot: '^node_modules/ipaddr\\.js/',
      },
    },
    onlyImports('policy', [], 'policy evaluation is pure and works on model types'),
    onlyImports('report', [], 'renderers turn a model report into text; they know no backend'),
    onlyImports(
      'config',
      ['policy'],
      "loading manifests yields policy/'s input types (load-manifests, manifest-workloads)",
    ),
    onlyImports('probe', ['config'], 'the agent server reads and validates its probe plan with config/ (agent-server)'),
    onlyImports(
      'cluster',
      ['probe', 'config', 'policy'],
      "the cluster backend runs probe/'s engine locally and reads live policies through config/ and policy/",
    ),
    onlyImports(
      'lab',
      ['probe', 'config', 'policy'],
      "the lab is built from k8s/ manifests (config/), compiles policy/'s verdicts to nftables and probes with probe/",
    ),
    {
      name: 'src-outside-src',
      comment:
        "Outside src/, the product imports only packages, built-ins, its package.json (the version, in cli/) and the time app's command line (lab/time-app.ts starts the app).",
      severity: 'error',
      from: { path: '^src/' },
      to: {
        pathNot: '^(src/|node_modules/|package\\.json$|app/command\\.ts$)',
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'src-outside-src-allowed',
      comment: 'The two files outside src/ the product reads, each from the one place that needs it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(orchestration/version|lab/time-app)\\.ts$' },
      to: { path: '^(package\\.json|app/command\\.ts)$' },
    },
  ],
  options: {
    // Only src/ is judged; packages are leaves (their own imports are not the product's layering).
    doNotFollow: { path: 'node_modules' },
    // A symlinked node_modules (a scratch copy of the tree, as test/project/layers.test.ts makes) still reads as node_modules/.
    preserveSymlinks: true,
    // Type-only imports count: a model type that imports a cli type is a layer breach even if erased at run time.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      dot: { collapsePattern: '^(node_modules/[^/]+|src/[^/]+)/' },
      text: { highlightFocused: true },
    },
  },
};
