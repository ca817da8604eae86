// The Pod Security "restricted" checks, each a translation of upstream's policy/check_<id>.go
// (staging/src/k8s.io/pod-security-admission), keeping its reason and detail word for word.

import { validSeccomp } from './baseline-profiles.ts';
import {
  ALLOWED,
  type CheckPod,
  type CheckResult,
  containersNamed,
  containersOf,
  contextOf,
  inUserNamespace,
  isWindows,
  type Json,
  joinQuote,
  pluralize,
  setters,
  sortedSet,
} from './helpers.ts';

/** From 1.25 a Windows pod (`spec.os.name: windows`) passes the Linux-only checks. */
export const exceptWindows =
  (check: CheckPod): CheckPod =>
  (meta, spec) =>
    isWindows(spec) ? ALLOWED : check(meta, spec);

/** From 1.35 a pod in a user namespace (`hostUsers: false`) passes the root checks. */
export const exceptUserNamespace =
  (check: CheckPod): CheckPod =>
  (meta, spec) =>
    inUserNamespace(spec) ? ALLOWED : check(meta, spec);

/** check_allowPrivilegeEscalation.go `allowPrivilegeEscalation_1_8`: every container sets it to false. */
export function allowPrivilegeEscalation(_meta: Json, spec: Json): CheckResult {
  const bad = containersOf(spec)
    .filter((c) => contextOf(c)?.allowPrivilegeEscalation !== false)
    .map((c) => String(c.name));
  if (bad.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containersNamed(bad)} must set securityContext.allowPrivilegeEscalation=false`,
  };
}

/** check_capabilities_restricted.go `capabilitiesRestricted_1_22`: drop ALL, add at most NET_BIND_SERVICE. */
export function capabilitiesRestricted(_meta: Json, spec: Json): CheckResult {
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const added: string[] = [];
  for (const c of containersOf(spec)) {
    const capabilities = contextOf(c)?.capabilities;
    if (capabilities == null) {
      missingDrop.push(String(c.name));
      continue;
    }
    if (!((capabilities.drop ?? []) as string[]).includes('ALL')) missingDrop.push(String(c.name));
    const extra = ((capabilities.add ?? []) as string[]).filter((a) => a !== 'NET_BIND_SERVICE');
    if (extra.length > 0) {
      adding.push(String(c.name));
      added.push(...extra);
    }
  }
  const details = [
    ...(missingDrop.length > 0
      ? [`${containersNamed(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`]
      : []),
    ...(adding.length > 0
      ? [
          `${containersNamed(adding)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`,
        ]
      : []),
  ];
  return details.length === 0
    ? ALLOWED
    : { allowed: false, reason: 'unrestricted capabilities', detail: details.join('; ') };
}

/** Inline volume sources "restricted" allows (check_restrictedVolumes.go). */
const ALLOWED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** The restricted sources upstream names, in the order of its switch, as it prints them (their JSON field names). */
const NAMED_VOLUMES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

/** check_restrictedVolumes.go: only the inline volume sources above (it replaces hostPathVolumes). */
export function restrictedVolumes(_meta: Json, spec: Json): CheckResult {
  const bad: string[] = [];
  const types: string[] = [];
  for (const volume of (spec.volumes ?? []) as Json[]) {
    if (ALLOWED_VOLUMES.some((source) => volume[source] != null)) continue;
    bad.push(String(volume.name));
    types.push(NAMED_VOLUMES.find((field) => volume[field] != null) ?? 'unknown');
  }
  if (bad.length === 0) return ALLOWED;
  const list = sortedSet(types);
  return {
    allowed: false,
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', list.length)} ${joinQuote(list)}`,
  };
}

/** check_runAsNonRoot.go `runAsNonRoot1_0`: true on the pod or on every container, false nowhere. */
export function runAsNonRoot(_meta: Json, spec: Json): CheckResult {
  const podValue = spec.securityContext?.runAsNonRoot;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const value = contextOf(c)?.runAsNonRoot;
    if (value != null) {
      if (value === false) explicit.push(String(c.name));
    } else if (podValue !== true) implicit.push(String(c.name));
  }
  const who = setters(podValue === false, explicit);
  if (who.length > 0)
    return {
      allowed: false,
      reason: 'runAsNonRoot != true',
      detail: `${who.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  if (implicit.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'runAsNonRoot != true',
    detail: `pod or ${containersNamed(implicit)} must set securityContext.runAsNonRoot=true`,
  };
}

/** check_runAsUser.go `runAsUser1_23`: runAsUser 0 nowhere. */
export function runAsUser(_meta: Json, spec: Json): CheckResult {
  const bad = containersOf(spec)
    .filter((c) => contextOf(c)?.runAsUser === 0)
    .map((c) => String(c.name));
  const who = setters(spec.securityContext?.runAsUser === 0, bad);
  if (who.length === 0) return ALLOWED;
  return { allowed: false, reason: 'runAsUser=0', detail: `${who.join(' and ')} must not set runAsUser=0` };
}

/** check_seccompProfile_restricted.go `seccompProfileRestricted_1_19`: RuntimeDefault or Localhost, set on the pod or every container. */
export function seccompProfileRestricted(_meta: Json, spec: Json): CheckResult {
  const values: string[] = [];
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = podProfile != null && !validSeccomp(podProfile.type);
  if (podBad) values.push(String(podProfile.type ?? ''));
  const podSet = podProfile != null && !podBad;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = contextOf(c)?.seccompProfile;
    if (profile != null) {
      if (!validSeccomp(profile.type)) {
        explicit.push(String(c.name));
        values.push(String(profile.type ?? ''));
      }
    } else if (!podSet) implicit.push(String(c.name));
  }
  const who = setters(podBad, explicit);
  if (who.length > 0)
    return {
      allowed: false,
      reason: 'seccompProfile',
      detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
    };
  if (implicit.length === 0) return ALLOWED;
  return {
    allowed: false,
    reason: 'seccompProfile',
    detail: `pod or ${containersNamed(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
  };
}
