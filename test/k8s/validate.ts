// Validates one manifest object against the schema of its kind: Kubernetes, Istio or Cilium.

import { Ajv, type ValidateFunction } from 'ajv';
import { CILIUM_NETWORK_POLICY, ISTIO_SECURITY, PROMETHEUS_RULE, SERVICE_MONITOR } from './crd-schemas.ts';
import type { K8sObject } from './manifests.ts';
import { unknownFields } from './strict-fields.ts';

/** Which schema family validates an object. */
export type SchemaFamily = 'kubernetes' | 'istio' | 'istio-networking' | 'cilium' | 'prometheus-operator';

const ajv = new Ajv({ allErrors: true, strict: true });
const cilium = ajv.compile(CILIUM_NETWORK_POLICY);
const istio = ajv.compile(ISTIO_SECURITY);
const prometheusRule = ajv.compile(PROMETHEUS_RULE);
const serviceMonitor = ajv.compile(SERVICE_MONITOR);

/** The family of an apiVersion, or undefined for kinds the repository should not contain. */
export function familyOf(apiVersion: string): SchemaFamily | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  if (group === 'security.istio.io') return 'istio';
  // EnvoyFilter: its model's schema (the patch value is Envoy's own config, free-form to Istio's API).
  if (group === 'networking.istio.io') return 'istio-networking';
  if (group === 'cilium.io') return 'cilium';
  if (group === 'monitoring.coreos.com') return 'prometheus-operator';
  if (group === '' || !group.includes('.') || group.endsWith('.k8s.io')) return 'kubernetes';
  return undefined;
}

interface Validatable {
  validate(): void;
}
type ModelConstructor = new (data: unknown) => Validatable;

/** Imports the generated model class for an object (kubernetes-models or @kubernetes-models/istio). */
async function modelClass(
  object: K8sObject,
  family: 'kubernetes' | 'istio' | 'istio-networking',
): Promise<ModelConstructor> {
  const pkg = family === 'kubernetes' ? 'kubernetes-models' : '@kubernetes-models/istio';
  const specifier = `${pkg}/${object.apiVersion}/${object.kind}`;
  try {
    const module = (await import(specifier)) as Record<string, ModelConstructor | undefined>;
    const model = module[object.kind];
    if (!model) throw new Error(`${specifier} exports no ${object.kind}`);
    return model;
  } catch (cause) {
    throw new Error(`unable to load the model of ${object.apiVersion} ${object.kind}`, { cause });
  }
}

/** Every problem found with the object (empty when valid). */
export async function validateObject(object: K8sObject): Promise<string[]> {
  const family = familyOf(object.apiVersion);
  switch (family) {
    case 'kubernetes': {
      const problems = modelErrors(new (await modelClass(object, family))(object));
      return [...problems, ...unknownFields(object).map((path) => `unknown field ${path}`)];
    }
    case 'istio': {
      const problems = modelErrors(new (await modelClass(object, family))(object));
      return [...problems, ...ajvErrors(istio, object)];
    }
    case 'istio-networking':
      return modelErrors(new (await modelClass(object, family))(object));
    case 'cilium':
      return ajvErrors(cilium, object);
    case 'prometheus-operator':
      return ajvErrors(object.kind === 'ServiceMonitor' ? serviceMonitor : prometheusRule, object);
    case undefined:
      return [`no schema for apiVersion ${object.apiVersion}`];
    default: {
      const unreachable: never = family;
      return [`unhandled schema family ${String(unreachable)}`];
    }
  }
}

function modelErrors(model: Validatable): string[] {
  try {
    model.validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

function ajvErrors(validate: ValidateFunction, object: K8sObject): string[] {
  if (validate(object)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''}`,
  );
}
