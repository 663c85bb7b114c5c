/** What the routing engine needs from the store. Filled in by the routing engine. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RoutingRepo {}
