/**
 * The composition root: what every switchyard process is made of, gathered
 * from the modules that own it. It is the one place that knows every config
 * section, so every process — gateway or worker — validates the same
 * settings and warns about the same unknown SY_* variables (one ConfigMap
 * feeds both). Only process entry points (gateway/main.ts, actors/main.ts),
 * tooling and tests import it (test/boundaries/checkBoundaries.ts).
 */
import { PLATFORM_CONFIG, type ConfigSection } from '../platform/index.js';
import { GATEWAY_CONFIG } from '../gateway/index.js';
import { INTEGRATIONS_CONFIG } from '../integrations/index.js';
import { RUNTIME_CONFIG, registeredFeatures } from '../actors/index.js';

/** Every config section, in the README's order: platform, gateway, actor runtime, integrations, then the features as registered. */
export const CONFIG_SECTIONS: readonly ConfigSection[] = [
  PLATFORM_CONFIG,
  GATEWAY_CONFIG,
  RUNTIME_CONFIG,
  INTEGRATIONS_CONFIG,
  ...registeredFeatures.flatMap((f) => (f.config ? [f.config] : [])),
];
