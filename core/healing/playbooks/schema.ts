import { z } from 'zod';
import { conditionSchema } from '../../conditions/parse.js';
import type { Condition } from '../../conditions/types.js';
import { parseDuration } from './duration.js';
import { TemplateError, parseTemplate } from './template.js';

/**
 * The playbook file format (YAML or JSON). Durations are normalised to milliseconds here, so the rest of
 * the engine never parses "15m" again.
 */

const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

const duration = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `${what} must be seconds or a duration like "30s", "15m", "2h" (got ${JSON.stringify(v)})` });
      return z.NEVER;
    }
    return ms;
  });

/** A string that may hold `{{…}}` references; malformed ones are refused with the field's path. */
const templated = z.string().superRefine((v, ctx) => {
  try {
    parseTemplate(v);
  } catch (e) {
    if (e instanceof TemplateError) ctx.addIssue({ code: 'custom', message: `bad template: ${e.message}` });
    else throw e;
  }
});

const SEVERITY = z.enum(['low', 'medium', 'high', 'critical']);
const SOURCE = z.enum(['anomaly', 'alert', 'health_check', 'manual']);

const base = {
  id: z.string().regex(ID, 'a step id is letters, digits, _ and -, starting with a letter or digit'),
  name: z.string().max(200).optional(),
  /** Safe to run again after a crash in the middle of it; otherwise an interrupted step fails the action. */
  idempotent: z.boolean().default(false),
  /** Steps whose results this one needs (besides the ones named in its templates). */
  needs: z.array(z.string()).default([]),
  /** A failing step with this flag is recorded and the playbook goes on. */
  continueOnError: z.boolean().default(false),
};

const execStep = z.strictObject({
  ...base,
  type: z.literal('exec'),
  argv: z
    .array(templated)
    .min(1, 'argv needs the program and its arguments, e.g. [systemctl, restart, api]')
    .superRefine((argv, ctx) => {
      // The program is the playbook author's choice, never something an alert can pick.
      if (argv[0]?.includes('{{')) ctx.addIssue({ code: 'custom', path: [0], message: 'the program (argv[0]) cannot be a template' });
    }),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and _'), templated).default({}),
  cwd: z.string().optional(),
  timeout: duration('timeout').default(30_000),
  /** Bytes of stdout and of stderr kept; the rest is cut off and marked as truncated. */
  maxOutput: z.number().int().positive().max(10_000_000).default(65_536),
  /** Exit codes that count as success. */
  okExitCodes: z.array(z.number().int()).default([0]),
});

const httpStep = z.strictObject({
  ...base,
  type: z.literal('http'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  url: templated.refine((u) => /^https?:\/\//.test(u), 'url must start with http:// or https://'),
  headers: z.record(z.string(), templated).default({}),
  body: z.union([templated, z.record(z.string(), z.unknown())]).optional(),
  expectStatus: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional(),
  timeout: duration('timeout').default(10_000),
  maxOutput: z.number().int().positive().max(10_000_000).default(65_536),
});

const waitStep = z.strictObject({
  ...base,
  type: z.literal('wait'),
  duration: duration('duration'),
});

const COMPARE = z.strictObject({
  op: z.enum(['lt', 'lte', 'gt', 'gte', 'eq', 'ne']),
  value: z.number(),
});

const verifyStep = z
  .strictObject({
    ...base,
    type: z.literal('verify'),
    /** A metric whose latest value must satisfy `condition`. */
    metric: templated.optional(),
    labels: z.record(z.string(), templated).default({}),
    condition: COMPARE.optional(),
    /** Or: a configured health check that must pass. */
    check: templated.optional(),
    within: duration('within').default(60_000),
    interval: duration('interval').default(5_000),
  })
  .superRefine((s, ctx) => {
    if (s.metric === undefined && s.check === undefined) {
      ctx.addIssue({ code: 'custom', message: 'verify needs a metric with a condition, or a health check', path: ['metric'] });
    }
    if (s.metric !== undefined && s.condition === undefined) {
      ctx.addIssue({ code: 'custom', message: 'verify on a metric needs a condition such as {op: lt, value: 0.5}', path: ['condition'] });
    }
  });

const notifyStep = z
  .strictObject({
    ...base,
    type: z.literal('notify'),
    channel: z.enum(['slack', 'email', 'event']),
    text: templated,
    subject: templated.optional(),
    /** E-mail recipients; defaults to the daemon's configured list. */
    to: z.array(templated).optional(),
    /** A Slack incoming-webhook URL; defaults to the daemon's configured one. */
    webhook: templated.optional(),
  });

const approveStep = z.strictObject({
  ...base,
  type: z.literal('approve'),
  /** How long the gate waits for a MANAGER or ADMIN before the action expires. */
  timeout: duration('timeout').default(3_600_000),
  text: templated.optional(),
});

export const STEP_TYPES = ['exec', 'http', 'wait', 'verify', 'notify', 'approve'] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** A step whose `type` is checked first, so an unknown type yields one clear message at `steps[i].type`. */
const step = z.unknown().transform((value, ctx) => {
  const type = value !== null && typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
  const schema = {
    exec: execStep,
    http: httpStep,
    wait: waitStep,
    verify: verifyStep,
    notify: notifyStep,
    approve: approveStep,
  }[typeof type === 'string' ? type : ''];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'a step is an object with id and type' });
    return z.NEVER;
  }
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `unknown step type ${JSON.stringify(type)} (one of ${STEP_TYPES.join(', ')})`,
    });
    return z.NEVER;
  }
  const r = (schema as z.ZodType).safeParse(value);
  if (!r.success) {
    for (const issue of r.error.issues) {
      // One message per stray key, at the key's own path (`steps[0].shell`), reads better than zod's list.
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) ctx.addIssue({ code: 'custom', message: `unknown field "${key}" for a ${String(type)} step`, path: [...issue.path, key] });
      } else {
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path as PropertyKey[] } as never);
      }
    }
    return z.NEVER;
  }
  return r.data as Step;
});

const trigger = z.strictObject({
  source: z.union([SOURCE, z.array(SOURCE).min(1)]).optional(),
  /** Minimum severity. */
  severity: SEVERITY.optional(),
  metric: z.string().optional(),
  /** Labels that must be equal. */
  labels: z.record(z.string(), z.string()).optional(),
  /** Any condition over the issue (`labels.service`, `title`, `severity`, …). */
  match: conditionSchema().optional(),
});

export const playbookSchema = z.strictObject({
  name: z.string().regex(ID, 'a playbook name is letters, digits, _ and -'),
  description: z.string().max(2000).optional(),
  enabled: z.boolean().default(true),
  trigger: trigger.optional(),
  /** What the cooldown and the hourly cap count against; by default the issue's fingerprint. */
  target: templated.optional(),
  cooldown: duration('cooldown').default(300_000),
  /** Consecutive failed actions after which the playbook disables itself. */
  maxFailures: z.number().int().min(1).max(100).default(3),
  /** Actions per target per hour. */
  maxPerHour: z.number().int().min(1).max(10_000).default(6),
  /** Which failures run the rollback steps: a failed verify only (the default), or any failed step. */
  rollbackOn: z.enum(['verify', 'any']).default('verify'),
  steps: z.array(step).min(1, 'a playbook needs at least one step'),
  rollback: z.array(step).default([]),
});

export type ExecStep = z.output<typeof execStep>;
export type HttpStep = z.output<typeof httpStep>;
export type WaitStep = z.output<typeof waitStep>;
export type VerifyStep = z.output<typeof verifyStep>;
export type NotifyStep = z.output<typeof notifyStep>;
export type ApproveStep = z.output<typeof approveStep>;
export type Step = ExecStep | HttpStep | WaitStep | VerifyStep | NotifyStep | ApproveStep;
export type PlaybookTrigger = z.output<typeof trigger> & { match?: Condition };
/** A validated playbook definition, durations in milliseconds. */
export type PlaybookSpec = Omit<z.output<typeof playbookSchema>, 'steps' | 'rollback' | 'trigger'> & {
  trigger?: PlaybookTrigger;
  steps: Step[];
  rollback: Step[];
};
