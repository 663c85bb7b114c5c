/** What the assistant engine needs from the store. Filled in by the assistant engine. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AssistantRepo {}
