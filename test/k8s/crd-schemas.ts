// JSON Schemas for the custom resources the policies use, limited to the fields used and closed to any other.

// Cilium publishes no npm models, so this is written from the CiliumNetworkPolicy CRD's
// openAPIV3Schema (cilium.io/v2, Cilium 1.16+): same patterns, enums and limits for the fields the
// lab's policy uses. Istio's own schemas (@kubernetes-models/istio) check types and enums but accept
// unknown fields; the Istio subset below closes that gap for the fields used here. Unknown fields
// fail: the API server would prune or reject them, and a pruned rule is a silently wider policy.

const labelValue = { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' };
const dnsLabel = { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' };
const dnsSubdomain = {
  type: 'string',
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
};
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

const metadata = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'namespace'],
  properties: { name: dnsSubdomain, namespace: dnsLabel, labels: stringMap, annotations: stringMap },
};

const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: labelValue },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string' },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

/** CiliumNetworkPolicy: endpointSelector, ingress rules from endpoints to L4 ports. */
export const CILIUM_NETWORK_POLICY = {
  $id: 'cilium-network-policy-subset',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'cilium.io/v2' },
    kind: { const: 'CiliumNetworkPolicy' },
    metadata,
    spec: {
      type: 'object',
      additionalProperties: false,
      // The CRD needs one of ingress, ingressDeny, egress, egressDeny; of those the subset has ingress.
      required: ['endpointSelector', 'ingress'],
      properties: {
        description: { type: 'string' },
        endpointSelector: labelSelector,
        ingress: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              fromEndpoints: { type: 'array', items: labelSelector },
              toPorts: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    ports: {
                      type: 'array',
                      maxItems: 40,
                      items: {
                        type: 'object',
                        additionalProperties: false,
                        properties: {
                          port: {
                            type: 'string',
                            pattern:
                              '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$',
                          },
                          endPort: { type: 'integer', minimum: 0, maximum: 65535 },
                          protocol: { enum: ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'ANY'] },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const workloadSelector = { type: 'object', additionalProperties: false, properties: { matchLabels: stringMap } };
const strings = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } };

/** Istio security.istio.io/v1 PeerAuthentication and AuthorizationPolicy, the fields used. */
export const ISTIO_SECURITY = {
  $id: 'istio-security-subset',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'security.istio.io/v1' },
    kind: { enum: ['PeerAuthentication', 'AuthorizationPolicy'] },
    metadata,
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        selector: workloadSelector,
        mtls: {
          type: 'object',
          additionalProperties: false,
          required: ['mode'],
          properties: { mode: { enum: ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] } },
        },
        action: { enum: ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] },
        rules: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              from: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    source: {
                      type: 'object',
                      additionalProperties: false,
                      properties: { principals: strings, namespaces: strings },
                    },
                  },
                },
              },
              to: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    operation: {
                      type: 'object',
                      additionalProperties: false,
                      properties: {
                        ports: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[0-9]{1,5}$' } },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/**
 * PrometheusRule (monitoring.coreos.com/v1), the fields the Prometheus Operator's Go types declare:
 * prometheus-operator pkg/apis/monitoring/v1/prometheusrule_types.go (PrometheusRuleSpec, RuleGroup,
 * Rule). A rule is an alert or a record, never both; durations in Prometheus's syntax.
 */
const PROMETHEUS_DURATION = { type: 'string', pattern: '^(0|(([0-9]+)(y|w|d|h|m|s|ms))+)$' } as const;

export const PROMETHEUS_RULE = {
  $id: 'prometheus-rule-subset',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'PrometheusRule' },
    metadata,
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        groups: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1 },
              labels: stringMap,
              interval: PROMETHEUS_DURATION,
              query_offset: PROMETHEUS_DURATION,
              limit: { type: 'integer' },
              partial_response_strategy: { type: 'string' },
              rules: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['expr'],
                  oneOf: [
                    { required: ['alert'], properties: { alert: { type: 'string' } } },
                    { required: ['record'], properties: { record: { type: 'string' } } },
                  ],
                  properties: {
                    alert: { type: 'string', minLength: 1 },
                    record: { type: 'string', minLength: 1 },
                    expr: { type: 'string', minLength: 1 },
                    for: PROMETHEUS_DURATION,
                    keep_firing_for: PROMETHEUS_DURATION,
                    labels: stringMap,
                    annotations: stringMap,
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/**
 * ServiceMonitor (monitoring.coreos.com/v1), the fields of prometheus-operator
 * pkg/apis/monitoring/v1/servicemonitor_types.go (ServiceMonitorSpec, Endpoint, NamespaceSelector)
 * that a scrape of one named port uses: selector and endpoints are required, a port is named or a
 * targetPort given, never both; durations in Prometheus's syntax.
 */
export const SERVICE_MONITOR = {
  $id: 'service-monitor-subset',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'ServiceMonitor' },
    metadata,
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['selector', 'endpoints'],
      properties: {
        jobLabel: { type: 'string' },
        targetLabels: { type: 'array', items: { type: 'string' } },
        selector: labelSelector,
        namespaceSelector: {
          type: 'object',
          additionalProperties: false,
          properties: { any: { type: 'boolean' }, matchNames: { type: 'array', items: { type: 'string' } } },
        },
        endpoints: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            not: {
              required: ['port', 'targetPort'],
              properties: {
                port: { type: 'string' },
                targetPort: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
              },
            },
            properties: {
              port: { type: 'string', minLength: 1 },
              targetPort: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
              path: { type: 'string', pattern: '^/' },
              scheme: { enum: ['http', 'https'] },
              interval: PROMETHEUS_DURATION,
              scrapeTimeout: PROMETHEUS_DURATION,
              honorLabels: { type: 'boolean' },
            },
          },
        },
      },
    },
  },
} as const;
