/**
 * undici, loaded on the first outbound call: most daemons make none for a long while (no http steps,
 * probes or Slack configured), and the library costs start-up time and a few megabytes held for nothing.
 */
let loaded: Promise<typeof import('undici')> | null = null;

export const undici = (): Promise<typeof import('undici')> => (loaded ??= import('undici'));
