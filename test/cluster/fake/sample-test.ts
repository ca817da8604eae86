// A ReachabilityTest resource for the tests of the fake's custom resources, watches and informers.

type Json = Record<string, any>;

/** A small valid ReachabilityTest named `name` in no namespace yet (the request's), with `extra` on top. */
export function sampleTest(name: string, extra: Json = {}): Json {
  return {
    apiVersion: 'prober.dev/v1alpha1',
    kind: 'ReachabilityTest',
    metadata: { name, labels: { team: 'a' } },
    spec: {
      sources: { web: { namespace: 'team', selector: { app: 'web' } } },
      targets: { db: { url: 'tcp://db:5432' } },
      expect: [{ from: 'web', to: 'db', verdict: 'allow' }],
    },
    ...extra,
  };
}
