/**
 * The deployment files, checked offline with the strongest tools at hand:
 * `kustomize build` (pinned, installed by deploy/local/install-tools.sh) on
 * every overlay, then the built objects read as data and checked against
 * each other and against switchyard's configuration. (No Kubernetes API
 * server or schema files are reachable here, so `kubectl apply --dry-run`
 * and kubeconform cannot run; see deploy/README.md.)
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { toolsDir } from '../../deploy/local/servers.js';
import { composeFields } from '../../platform/index.js';
import { CONFIG_SECTIONS } from '../../composition/index.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

const kustomize = join(toolsDir(), 'kustomize');
const missing = existsSync(kustomize) ? undefined : `kustomize is not installed at ${kustomize}: run npm run tools (builds it with go install)`;
if (missing) process.stderr.write(`\n${'!'.repeat(100)}\n!!! KUBERNETES MANIFEST CHECK SKIPPED: ${missing}\n${'!'.repeat(100)}\n\n`);

const OVERLAYS = readdirSync('deploy/k8s/overlays').sort();
/** Secrets the production overlay expects to be created out of band (its kustomization.yaml says so). */
const OUT_OF_BAND_SECRETS = new Set(['switchyard-secrets', 'switchyard-redis', 'switchyard-mongodb', 'switchyard-tls']);
const KNOWN_VARIABLES = new Set(Object.values(composeFields(CONFIG_SECTIONS)).map((f) => f.env));

const builds = new Map<string, { status: number | null; output: string; objects: Obj[] }>();
function build(overlay: string) {
  let b = builds.get(overlay);
  if (!b) {
    const r = spawnSync(kustomize, ['build', `deploy/k8s/overlays/${overlay}`], { encoding: 'utf8' });
    const objects = r.status === 0 ? parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj).filter(Boolean) : [];
    builds.set(overlay, (b = { status: r.status, output: `${r.stdout}${r.stderr}`, objects }));
  }
  return b;
}
const find = (objects: Obj[], kind: string, name?: string) => objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objects: Obj[], kind: string, name: string) => {
  const found = find(objects, kind, name);
  assert.equal(found.length, 1, `one ${kind} ${name}`);
  return found[0]!;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const workloads = (objects: Obj[]) => objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind));
const podLabels = (w: Obj): Record<string, string> => w.spec.template.metadata?.labels ?? {};
const configMap = (objects: Obj[]) => find(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('switchyard-config'))!.data!;

t.test('k8s - kustomize build succeeds for every overlay (production and local)', { skip: missing }, async () => {
  assert.deepEqual(OVERLAYS, ['local', 'production']);
  for (const overlay of OVERLAYS) {
    const b = build(overlay);
    assert.equal(b.status, 0, `kustomize build deploy/k8s/overlays/${overlay}:\n${b.output.slice(-3000)}`);
    assert.ok(b.objects.length > 20, `${overlay} builds ${b.objects.length} objects`);
  }
});

t.test('k8s - every object lives in namespace switchyard, with a unique kind and name', { skip: missing }, async () => {
  for (const overlay of OVERLAYS) {
    const seen = new Set<string>();
    for (const o of build(overlay).objects) {
      if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'switchyard', `${overlay}: ${o.kind} ${o.metadata.name}`);
      const key = `${o.kind}/${o.metadata.name}`;
      assert.ok(!seen.has(key), `${overlay}: ${key} twice`);
      seen.add(key);
    }
  }
});

t.test('k8s - the gateway drains before it can be killed: grace period > preStop pause + SY_DRAIN_GRACE_MS, readiness on /readyz', { skip: missing }, async () => {
  for (const overlay of OVERLAYS) {
    const objects = build(overlay).objects;
    const drainMs = Number(configMap(objects).SY_DRAIN_GRACE_MS);
    assert.ok(drainMs > 0, 'SY_DRAIN_GRACE_MS is set');
    for (const name of ['switchyard-gateway', 'switchyard-worker']) {
      const pod = one(objects, 'Deployment', name).spec.template.spec;
      const container = pod.containers[0];
      const preStop = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
      const pauseMs = preStop?.[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
      if (name === 'switchyard-gateway') assert.ok(pauseMs > 0, 'the gateway pauses in preStop so endpoints update before SIGTERM');
      assert.ok(pod.terminationGracePeriodSeconds * 1000 > pauseMs + drainMs,
        `${overlay} ${name}: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} s must exceed preStop ${pauseMs} ms + SY_DRAIN_GRACE_MS ${drainMs} ms`);
      assert.equal(container.readinessProbe.httpGet.path, '/readyz');
      assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    }
    const gw = one(objects, 'Deployment', 'switchyard-gateway').spec;
    assert.equal(gw.strategy.rollingUpdate.maxUnavailable, 0, 'rolling updates never drop below the wanted gateways');
  }
});

t.test('k8s - Services, PodDisruptionBudgets and NetworkPolicies select pods that exist; KEDA ScaledObjects target the right Deployments', { skip: missing }, async () => {
  for (const overlay of OVERLAYS) {
    const objects = build(overlay).objects;
    const pods = workloads(objects).map(podLabels);
    for (const s of find(objects, 'Service')) assert.ok(pods.some((l) => matches(s.spec.selector, l)), `${overlay}: Service ${s.metadata.name} selects pods`);
    for (const p of find(objects, 'PodDisruptionBudget')) assert.ok(pods.some((l) => matches(p.spec.selector.matchLabels, l)), `${overlay}: PDB ${p.metadata.name} selects pods`);
    for (const n of find(objects, 'NetworkPolicy')) {
      const sel = n.spec.podSelector.matchLabels ?? {};
      assert.ok(pods.some((l) => matches(sel, l)), `${overlay}: NetworkPolicy ${n.metadata.name} selects pods`);
    }
    assert.deepEqual(find(objects, 'HorizontalPodAutoscaler'), [], 'KEDA owns the HPAs of gateways and workers: a second HPA would fight it');
    for (const name of ['switchyard-gateway', 'switchyard-worker']) {
      const scaled = one(objects, 'ScaledObject', name);
      assert.equal(scaled.spec.scaleTargetRef.name, name);
      one(objects, 'Deployment', name);
    }
  }
});

t.test('k8s - KEDA scales workers on the backlog of every CMD consumer and gateways on their own load, never workers beyond SY_PARTITIONS', { skip: missing }, async () => {
  for (const overlay of OVERLAYS) {
    const objects = build(overlay).objects;
    const worker = one(objects, 'ScaledObject', 'switchyard-worker').spec;
    assert.ok(worker.triggers.length > 0);
    for (const t of worker.triggers) {
      // The workers' own CMD stream gauge, never a consumer name: workers name and recreate their consumers per
      // partition. Every worker reports the same stream count, so max, never sum.
      assert.equal(t.type, 'prometheus');
      assert.match(t.metadata.query, /^max\(switchyard_cmd_backlog_messages\b/);
      assert.doesNotMatch(t.metadata.query, /consumer_name/);
    }
    assert.ok(worker.maxReplicaCount <= Number(configMap(objects).SY_PARTITIONS), `${overlay}: more workers than partitions would idle`);
    assert.ok(worker.minReplicaCount >= 1 && worker.minReplicaCount <= worker.maxReplicaCount);
    const gateway = one(objects, 'ScaledObject', 'switchyard-gateway').spec;
    const queries = gateway.triggers.filter((t: any) => t.type === 'prometheus').map((t: any) => String(t.metadata.query));
    assert.ok(queries.some((q: string) => q.includes('switchyard_gateway_connections')), `${overlay}: gateways scale on open connections`);
    assert.ok(queries.some((q: string) => q.includes('switchyard_gateway_frames_in_total')), `${overlay}: gateways scale on frames received`);
    assert.ok(gateway.minReplicaCount >= 1 && gateway.minReplicaCount <= gateway.maxReplicaCount);
  }
});

t.test('k8s - configuration keys are switchyard variables, and every ConfigMap and Secret reference resolves (production: the documented out-of-band Secrets)', { skip: missing }, async () => {
  for (const overlay of OVERLAYS) {
    const objects = build(overlay).objects;
    for (const key of Object.keys(configMap(objects))) assert.ok(KNOWN_VARIABLES.has(key), `${overlay}: ConfigMap key ${key} is not a configuration variable (platform/config.ts)`);
    const secrets = find(objects, 'Secret');
    const appSecret = secrets.find((s) => s.metadata.name.startsWith('switchyard-secrets'));
    for (const key of Object.keys(appSecret?.data ?? {})) assert.ok(KNOWN_VARIABLES.has(key), `${overlay}: Secret key ${key} is not a configuration variable`);
    const names = new Set([...find(objects, 'ConfigMap'), ...secrets].map((o) => `${o.kind}/${o.metadata.name}`));
    const refs: string[] = [];
    const text = JSON.stringify(workloads(objects).map((w) => w.spec.template.spec).concat(find(objects, 'Ingress').map((i) => i.spec)));
    for (const m of text.matchAll(/"(configMapRef|configMapKeyRef|secretRef|secretKeyRef)":\{[^}]*?"name":"([^"]+)"/g)) refs.push(`${m[1]!.startsWith('config') ? 'ConfigMap' : 'Secret'}/${m[2]}`);
    for (const m of text.matchAll(/"secretName":"([^"]+)"/g)) refs.push(`Secret/${m[1]}`);
    for (const m of text.matchAll(/"configMap":\{"name":"([^"]+)"/g)) refs.push(`ConfigMap/${m[1]}`);
    assert.ok(refs.length > 5);
    const unresolved = [...new Set(refs.filter((r) => !names.has(r)))];
    if (overlay === 'production') {
      for (const r of unresolved) assert.ok(r.startsWith('Secret/') && OUT_OF_BAND_SECRETS.has(r.slice(7)), `${overlay}: ${r} is referenced but neither built nor documented as created out of band`);
    } else {
      assert.deepEqual(unresolved, [], `${overlay}: references without an object`);
    }
  }
});

t.test('k8s - traces are off unless the opentelemetry component is used; with it both processes export OTLP/HTTP and may reach the collector', { skip: missing }, async () => {
  for (const overlay of OVERLAYS) {
    const objects = build(overlay).objects;
    const endpoints = ['switchyard-gateway', 'switchyard-worker'].map((name) => one(objects, 'Deployment', name).spec.template.spec.containers[0].env
      .find((e: { name: string }) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')?.value as string | undefined);
    if (overlay === 'local') {
      assert.deepEqual(endpoints, [undefined, undefined], 'local: no OTEL_* variable, nothing traced');
      continue;
    }
    const url = new URL(endpoints[0]!);
    assert.deepEqual(endpoints, [endpoints[0], endpoints[0]]);
    const policy = one(objects, 'NetworkPolicy', 'otlp-export').spec;
    assert.ok(policy.egress.some((r: any) => r.ports.some((p: any) => p.port === Number(url.port))
      && r.to.some((t: any) => t.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === url.hostname.split('.')[1])), `${overlay}: egress to ${url.host} is allowed`);
  }
});

t.test('k8s - the ingress keeps WebSockets open for an hour with cookie affinity to the gateway Service', { skip: missing }, async () => {
  for (const overlay of OVERLAYS) {
    const ingress = one(build(overlay).objects, 'Ingress', 'switchyard');
    const a = ingress.metadata.annotations!;
    assert.ok(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout']) >= 3600);
    assert.ok(Number(a['nginx.ingress.kubernetes.io/proxy-send-timeout']) >= 3600);
    assert.equal(a['nginx.ingress.kubernetes.io/affinity'], 'cookie');
    assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, 'switchyard-gateway');
  }
});

t.test('k8s - NetworkPolicies deny by default and open only the app ports', { skip: missing }, async () => {
  for (const overlay of OVERLAYS) {
    const policies = find(build(overlay).objects, 'NetworkPolicy');
    const deny = one(policies, 'NetworkPolicy', 'default-deny').spec;
    assert.deepEqual(deny.podSelector, {});
    assert.deepEqual([...deny.policyTypes].sort(), ['Egress', 'Ingress']);
    assert.equal(deny.ingress, undefined);
    const gw = one(policies, 'NetworkPolicy', 'gateway').spec;
    assert.deepEqual(gw.ingress.flatMap((r: any) => r.ports.map((p: any) => p.port)), [8080]);
  }
});

t.test('k8s - NATS: the Helm values make a 3-node JetStream cluster, NATS_URL names every node, streams have 3 replicas', { skip: missing }, async () => {
  const values = parseYaml(readFileSync('deploy/k8s/nats/values.yaml', 'utf8')) as any;
  assert.equal(values.config.cluster.enabled, true);
  assert.equal(values.config.cluster.replicas, 3);
  assert.equal(values.config.jetstream.enabled, true);
  assert.equal(values.config.monitor.port, 8222);
  assert.equal(values.promExporter.enabled, true);
  for (const overlay of OVERLAYS) {
    const config = configMap(build(overlay).objects);
    assert.equal(config.NATS_URL!.split(',').length, 3);
    assert.equal(config.SY_STREAM_REPLICAS, '3');
  }
});

t.test('k8s - Prometheus in the cluster scrapes through the headless Services the manifests define', { skip: missing }, async () => {
  const prom = parseYaml(readFileSync('deploy/prometheus/prometheus.cluster.yml', 'utf8')) as any;
  const objects = build('production').objects;
  for (const job of ['switchyard-gateway', 'switchyard-worker']) {
    const sd = prom.scrape_configs.find((c: any) => c.job_name === job).dns_sd_configs[0];
    const [service, namespace] = String(sd.names[0]).split('.');
    assert.equal(namespace, 'switchyard');
    const svc = one(objects, 'Service', service!);
    assert.equal(svc.spec.clusterIP, 'None');
    assert.equal(svc.spec.publishNotReadyAddresses, true, 'draining pods stay scraped');
    assert.ok(svc.spec.ports.some((p: any) => p.port === sd.port), `${service} serves port ${sd.port}`);
  }
});

t.test('compose - one-machine install: drain fits the stop grace, variables are switchyard\'s, boards and rules are mounted where provisioning looks', async () => {
  const compose = parseYaml(readFileSync('deploy/docker-compose.yml', 'utf8'), { merge: true }) as any;
  const env = compose.services.gateway.environment;
  const drainMs = Number(env.SY_DRAIN_GRACE_MS);
  for (const name of ['gateway', 'worker']) {
    const service = compose.services[name];
    assert.ok(Number(/^(\d+)s$/.exec(service.stop_grace_period)![1]) * 1000 > drainMs, `${name}: stop_grace_period exceeds SY_DRAIN_GRACE_MS`);
    for (const key of Object.keys(service.environment)) assert.ok(KNOWN_VARIABLES.has(key), `${name}: ${key} is not a configuration variable`);
  }
  const provider = parseYaml(readFileSync('deploy/grafana/provisioning/dashboards/switchyard.yml', 'utf8')) as any;
  const mounts: string[] = compose.services.grafana.volumes;
  assert.ok(mounts.includes(`./grafana/dashboards:${provider.providers[0].options.path}:ro`), 'the boards are mounted where the provider reads');
  const datasource = parseYaml(readFileSync('deploy/grafana/provisioning/datasources/prometheus.yml', 'utf8')) as any;
  assert.equal(new URL(datasource.datasources[0].url).hostname, 'prometheus', 'the datasource URL is the compose service');
  const promArgs: string[] = compose.services.prometheus.command;
  const configFile = promArgs.find((a) => a.startsWith('--config.file='))!.split('/').pop()!;
  assert.ok(existsSync(join('deploy/prometheus', configFile)), `${configFile} exists`);
  assert.deepEqual(compose.services.gateway.command, ['node', 'dist/gateway/main.js']);
  assert.deepEqual(compose.services.worker.command, ['node', 'dist/actors/main.js']);
});
