import { findManifest, type Manifest } from "./helm.ts";

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}

export interface HttpProbe {
  httpGet?: { path: string; port: string | number };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe?: HttpProbe;
  readinessProbe?: HttpProbe;
  startupProbe?: HttpProbe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** The pod template of a Deployment, StatefulSet or Job. */
export function podTemplate(workload: Manifest): PodTemplate {
  const spec = workload.spec as { template?: PodTemplate } | undefined;
  if (!spec?.template) throw new Error(`${workload.kind}/${workload.metadata.name} has no pod template`);
  return spec.template;
}

export function workloads(manifests: Manifest[]): Manifest[] {
  return manifests.filter((m) => ["Deployment", "StatefulSet", "Job"].includes(m.kind));
}

/** The workload of a chart component (label app.kubernetes.io/component). */
export function componentWorkload(manifests: Manifest[], component: string): Manifest | undefined {
  return workloads(manifests).find((m) => m.metadata.labels?.["app.kubernetes.io/component"] === component);
}

/** Stand-ins for what the cluster supplies: the downward API's fields, and Secret values that the services accept. */
export interface PodContext {
  fields: Record<string, string>;
  secrets: (ref: { name: string; key: string }, variable: string) => string;
}

/**
 * The environment the container's process sees, resolved as the kubelet does: envFrom ConfigMaps first, then env in
 * order, `$(VAR)` expanded from the variables defined before it (an unknown reference stays as written).
 */
export function containerEnv(manifests: Manifest[], container: Container, context: PodContext): Map<string, string> {
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const configMap = findManifest(manifests, "ConfigMap", source.configMapRef.name);
      for (const [name, value] of Object.entries((configMap.data as Record<string, string>) ?? {}))
        env.set(name, value);
    }
    if (source.secretRef) throw new Error(`envFrom a Secret (${source.secretRef.name}) is not expected`);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env.set(
        variable.name,
        variable.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env.get(name) ?? whole),
      );
    } else if (variable.valueFrom?.fieldRef) {
      const value = context.fields[variable.valueFrom.fieldRef.fieldPath];
      if (value === undefined) throw new Error(`no stand-in for field ${variable.valueFrom.fieldRef.fieldPath}`);
      env.set(variable.name, value);
    } else if (variable.valueFrom?.secretKeyRef) {
      env.set(variable.name, context.secrets(variable.valueFrom.secretKeyRef, variable.name));
    } else if (variable.valueFrom?.configMapKeyRef) {
      const { name, key } = variable.valueFrom.configMapKeyRef;
      const data = findManifest(manifests, "ConfigMap", name).data as Record<string, string>;
      if (data[key] === undefined) throw new Error(`ConfigMap ${name} has no key ${key}`);
      env.set(variable.name, data[key]);
    } else {
      env.set(variable.name, "");
    }
  }
  return env;
}

export function portNamed(container: Container, name: string): number {
  const port = container.ports?.find((p) => p.name === name);
  if (!port) throw new Error(`container ${container.name} has no port named ${name}`);
  return port.containerPort;
}

/** Resolves a probe's or Service's port (a name or a number) against the container. */
export function resolvePort(container: Container, port: string | number): number {
  return typeof port === "number" ? port : portNamed(container, port);
}

/** Whether a selector's labels all appear among the pod's. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
