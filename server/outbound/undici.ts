/**
 * undici, loaded on the first outbound call: most daemons make none for a long while (no http steps,
 * probes or Slack configured), and the library costs start-up time and a few megabytes held for nothing.
 */
let loaded: Promise<typeof import('undici')> | null = null;

type Request = typeof import('undici').request;

/** undici's `request`, loading the library first if need be (typed as undici's own, generics included). */
export const request = (async (...args: Parameters<Request>) => (await (loaded ??= import('undici'))).request(...args)) as Request;
