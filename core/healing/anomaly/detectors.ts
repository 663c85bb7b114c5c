import { AppError } from '../../errors.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './detector.js';

/**
 * Named detector configurations for `anomaly scan --detector`. `default` is what the daemon runs; the
 * others isolate one source of evidence, for comparison.
 */
export const DETECTORS: Record<string, DetectorConfig> = {
  default: DEFAULT_DETECTOR_CONFIG,
  context: { ...DEFAULT_DETECTOR_CONFIG, zWeight: 0 },
  surprise: { ...DEFAULT_DETECTOR_CONFIG, zWeight: 1, contexts: [] },
};

export function detectorConfig(name: string | undefined): DetectorConfig {
  const cfg = DETECTORS[name ?? 'default'];
  if (!cfg) throw new AppError('usage', `--detector ${name}: unknown, expected one of ${Object.keys(DETECTORS).join(', ')}`);
  return cfg;
}
