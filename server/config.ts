import { defaultHome } from './home.js';
import { join } from 'node:path';
import { parseRateLimit, type RateLimitConfig } from './http/rate-limit.js';
import type { TlsFiles } from './tls.js';

/** The seed's feature flags; each defaults to on. */
export interface FeatureFlags {
  aiRouting: boolean;
  autoHealing: boolean;
  complianceAutomation: boolean;
}

export interface DaemonConfig {
  home: string;
  db: string;
  redis: string | null;
  host: string;
  port: number;
  demo: boolean;
  flags: FeatureFlags;
  logFile: string | null;
  /** Request bodies above this many bytes get 413. */
  bodyLimit: number;
  /** SSE comment heartbeat interval. */
  heartbeatMs: number;
  /** A subscriber whose unsent SSE data exceeds this is disconnected. */
  sseMaxBuffer: number;
  /** How long SIGTERM waits for in-flight requests. */
  drainMs: number;
  anthropic: { apiKey: string | null; baseUrl: string | null; model: string | null };
  /** Free-form per-area settings (e.g. runbooks folder, metric retention), read by the modules. */
  settings: Record<string, string>;
  /** Request budgets per address and per token (FOUNDRY_RATE_LIMIT). */
  rateLimit: RateLimitConfig;
  /** HTTPS with these PEM files (`--tls-cert`, `--tls-key`); null serves plain HTTP. */
  tls: TlsFiles | null;
  /** OTLP/HTTP collector for spans (OTEL_EXPORTER_OTLP_ENDPOINT); null exports nothing. */
  otlpEndpoint: string | null;
}

export const DEFAULT_PORT = 7717;

export { defaultHome };

function flag(value: string | undefined): boolean {
  if (value === undefined || value === '') return true;
  return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

export function flagsFromEnv(env: NodeJS.ProcessEnv): FeatureFlags {
  return {
    aiRouting: flag(env.ENABLE_AI_ROUTING),
    autoHealing: flag(env.ENABLE_AUTO_HEALING),
    complianceAutomation: flag(env.ENABLE_COMPLIANCE_AUTOMATION),
  };
}

/** Builds the daemon's configuration from flags layered over the environment. */
export function daemonConfig(
  opts: Partial<Pick<DaemonConfig, 'home' | 'db' | 'redis' | 'host' | 'port' | 'demo' | 'tls'>>,
  env: NodeJS.ProcessEnv = process.env,
): DaemonConfig {
  const home = opts.home ?? defaultHome(env);
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('FOUNDRY_SETTING_') && v !== undefined) settings[k.slice(16).toLowerCase()] = v;
  return {
    home,
    db: opts.db ?? env.FOUNDRY_DB ?? `sqlite:${join(home, 'foundry.db')}`,
    redis: opts.redis ?? env.FOUNDRY_REDIS ?? null,
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? DEFAULT_PORT,
    demo: opts.demo ?? false,
    flags: flagsFromEnv(env),
    logFile: join(home, 'logs', 'daemon.log'),
    bodyLimit: 1024 * 1024,
    heartbeatMs: Number(env.FOUNDRY_SSE_HEARTBEAT_MS) || 15_000,
    sseMaxBuffer: 4 * 1024 * 1024,
    drainMs: 10_000,
    anthropic: {
      apiKey: env.ANTHROPIC_API_KEY || null,
      baseUrl: env.ANTHROPIC_BASE_URL || null,
      model: env.FOUNDRY_CLAUDE_MODEL || null,
    },
    settings,
    rateLimit: parseRateLimit(env.FOUNDRY_RATE_LIMIT),
    tls: opts.tls ?? null,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || null,
  };
}
