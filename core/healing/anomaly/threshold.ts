/**
 * The score at or above which the daemon raises an anomaly issue. It is the threshold NAB's optimiser
 * picked for the default detector on the NAB DEV corpus (standard profile), see bench/nab.ts; change
 * it together with DEFAULT_DETECTOR_CONFIG.
 */
export const DEFAULT_ALERT_THRESHOLD = 0.3165;
