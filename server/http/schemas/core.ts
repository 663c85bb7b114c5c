import { z } from 'zod';
import { PRIORITIES, ROLES, TASK_STATUSES } from '../../../core/model.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
export const workingHours = z.object({
  start: hhmm,
  end: hhmm,
  days: z.array(z.number().int().min(0).max(6)).max(7),
}).strict();

const name = z.string().trim().min(1, 'must not be empty').max(200);
const tags = z.record(z.string().min(1).max(100), z.string().max(500)).refine((t) => Object.keys(t).length <= 50, 'at most 50 tags');

export const teamBody = z.object({
  name,
  description: z.string().max(2000).nullish(),
  timezone: z.string().max(64).nullish(),
  workingHours: workingHours.nullish(),
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')).max(366).optional(),
}).strict();

export const memberBody = z.object({
  name,
  team: z.string().max(200).nullish(),
  email: z.string().email().max(320).nullish(),
  skills: z.record(z.string().min(1).max(100), z.number().int().min(1).max(5)).optional(),
  timezone: z.string().max(64).nullish(),
  workingHours: workingHours.nullish(),
  capacity: z.number().int().min(0).max(1000).optional(),
  calendarUrl: z.string().max(2000).nullish(),
  onCall: z.boolean().optional(),
  active: z.boolean().optional(),
}).strict();

export const memberPatch = memberBody.partial();

export const taskBody = z.object({
  title: z.string().max(1000),
  description: z.string().max(1_000_000).optional(),
  priority: z.enum(PRIORITIES).optional(),
  tags: tags.optional(),
  source: z.string().min(1).max(100).optional(),
  team: z.string().max(200).nullish(),
  assignee: z.string().max(200).nullish(),
}).strict();

export const taskListQuery = z.object({
  status: z.string().optional().transform((s, ctx) => {
    if (!s) return undefined;
    const list = s.split(',');
    for (const v of list) {
      if (!(TASK_STATUSES as readonly string[]).includes(v)) {
        ctx.addIssue({ code: 'custom', message: `unknown status ${v}; expected one of ${TASK_STATUSES.join(', ')}` });
        return z.NEVER;
      }
    }
    return list as (typeof TASK_STATUSES)[number][];
  }),
  team: z.string().max(200).optional(),
  assignee: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  since: z.coerce.number().int().min(0).optional(),
}).strict();

export const reassignBody = z.object({ to: z.string().min(1).max(200) }).strict();
export const statusBody = z.object({ status: z.enum(TASK_STATUSES) }).strict();

export const userBody = z.object({
  name: z.string().trim().min(1).max(100).regex(/^[\w.@-]+$/, 'letters, digits, . _ @ - only'),
  role: z.enum(ROLES),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
}).strict();

export const eventsQuery = z.object({
  types: z.string().max(2000).optional(),
  since: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
}).strict();

export const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  before: z.coerce.number().int().min(1).optional(),
}).strict();
