/** What the metrics engine needs from the store. Filled in by the metrics engine. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MetricsRepo {}
