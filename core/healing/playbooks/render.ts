import type { Step } from './schema.js';
import { parseTemplate, renderTemplate, type RenderOptions } from './template.js';

/** The values `{{…}}` references resolve against. */
export interface TemplateContext {
  issue?: Record<string, unknown> | null;
  action?: Record<string, unknown>;
  playbook?: Record<string, unknown>;
  target?: string;
  /** Results of steps that already ran, by step id: stdout, stderr, exitCode, status, body. */
  steps?: Record<string, Record<string, unknown>>;
}

/** A step with every template resolved: what an executor receives and what a dry run prints. */
export type RenderedStep =
  | { type: 'exec'; argv: string[]; env: Record<string, string>; cwd?: string; timeout: number; maxOutput: number; okExitCodes: number[] }
  | { type: 'http'; method: string; url: string; headers: Record<string, string>; body?: string; expectStatus: number[] | null; timeout: number; maxOutput: number }
  | { type: 'wait'; duration: number }
  | { type: 'verify'; metric?: string; labels: Record<string, string>; condition?: { op: string; value: number }; check?: string; within: number; interval: number }
  | { type: 'notify'; channel: 'slack' | 'email' | 'event'; text: string; subject?: string; to?: string[]; webhook?: string }
  | { type: 'approve'; timeout: number; text?: string };

export class RenderError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'RenderError';
  }
}

function map(obj: Record<string, string>, ctx: TemplateContext, opts: RenderOptions): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, renderTemplate(v, ctx, opts)]));
}

function renderJson(value: unknown, ctx: TemplateContext, opts: RenderOptions): unknown {
  if (typeof value === 'string') return renderTemplate(value, ctx, opts);
  if (Array.isArray(value)) return value.map((v) => renderJson(v, ctx, opts));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, ctx, opts)]));
  }
  return value;
}

/**
 * An argv item that starts with a reference must not turn into an option: a label `--force` would
 * otherwise change what the program does. NUL cannot be passed in argv at all.
 */
function checkArgvItem(raw: string, rendered: string, i: number): void {
  if (rendered.includes('\u0000')) throw new RenderError(`argv[${i}]`, 'a value holds a NUL character');
  const parts = parseTemplate(raw);
  if (i > 0 && parts[0]?.kind === 'ref' && rendered.startsWith('-')) {
    throw new RenderError(`argv[${i}]`, `the value of {{${parts[0].source}}} starts with "-" and would be read as an option`);
  }
}

/** Resolves every template of a step; throws MissingValueError or RenderError. */
export function renderStep(step: Step, ctx: TemplateContext, opts: RenderOptions = {}): RenderedStep {
  switch (step.type) {
    case 'exec': {
      const argv = step.argv.map((a, i) => {
        const r = renderTemplate(a, ctx, opts);
        checkArgvItem(a, r, i);
        return r;
      });
      const env = map(step.env, ctx, opts);
      for (const [k, v] of Object.entries(env)) if (v.includes('\u0000')) throw new RenderError(`env.${k}`, 'a value holds a NUL character');
      return { type: 'exec', argv, env, ...(step.cwd ? { cwd: step.cwd } : {}), timeout: step.timeout, maxOutput: step.maxOutput, okExitCodes: step.okExitCodes };
    }
    case 'http': {
      const url = renderTemplate(step.url, ctx, { ...opts, encode: encodeURIComponent });
      const body =
        step.body === undefined ? undefined : typeof step.body === 'string' ? renderTemplate(step.body, ctx, opts) : JSON.stringify(renderJson(step.body, ctx, opts));
      const expect = step.expectStatus === undefined ? null : Array.isArray(step.expectStatus) ? step.expectStatus : [step.expectStatus];
      return { type: 'http', method: step.method, url, headers: map(step.headers, ctx, opts), ...(body !== undefined ? { body } : {}), expectStatus: expect, timeout: step.timeout, maxOutput: step.maxOutput };
    }
    case 'wait':
      return { type: 'wait', duration: step.duration };
    case 'verify':
      return {
        type: 'verify',
        ...(step.metric !== undefined ? { metric: renderTemplate(step.metric, ctx, opts) } : {}),
        labels: map(step.labels, ctx, opts),
        ...(step.condition ? { condition: step.condition } : {}),
        ...(step.check !== undefined ? { check: renderTemplate(step.check, ctx, opts) } : {}),
        within: step.within,
        interval: step.interval,
      };
    case 'notify':
      return {
        type: 'notify',
        channel: step.channel,
        text: renderTemplate(step.text, ctx, opts),
        ...(step.subject !== undefined ? { subject: renderTemplate(step.subject, ctx, opts) } : {}),
        ...(step.to ? { to: step.to.map((t) => renderTemplate(t, ctx, opts)) } : {}),
        ...(step.webhook !== undefined ? { webhook: renderTemplate(step.webhook, ctx, opts) } : {}),
      };
    case 'approve':
      return { type: 'approve', timeout: step.timeout, ...(step.text !== undefined ? { text: renderTemplate(step.text, ctx, opts) } : {}) };
  }
}
