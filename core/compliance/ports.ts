/** What the compliance engine needs from the store. Filled in by the compliance engine. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ComplianceRepo {}
