/**
 * What a feature registers in actors/registry.ts, all declared beside the
 * feature: its actor types, the services it runs in every worker
 * (featureServices.ts), its settings (platform/config.ts) and the metrics it
 * owns (platform/metricSection.ts).
 * A new feature is one entry in the registry and no edit under platform/.
 */
import type { ConfigSection, MetricSection } from '../platform/index.js';
import type { ActorDefinition } from './runtime/index.js';
import type { FeatureServices } from './featureServices.js';

export interface FeatureModule {
  /** The feature's folder under actors/. */
  name: string;
  actors: ReadonlyArray<ActorDefinition<any, any>>;
  services?: FeatureServices;
  config?: ConfigSection;
  metrics?: MetricSection;
}
