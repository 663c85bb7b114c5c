/**
 * Tasks from outside: `POST /v1/integrations/webhook/:source`. Each source is configured with a kind
 * (generic, github, jira) and a secret; the body's HMAC-SHA256 must match before anything is read,
 * and the payload is turned into a route request by the kind's mapping.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { PRIORITIES, type Priority } from '../../core/model.js';
import { resolveField } from '../../core/conditions/index.js';
import type { RouteInput } from '../../core/routing/engine.js';
import type { WebhookSource } from '../../core/routing/ports.js';

/** Headers a signature may arrive in, per kind (the sender's own conventions first). */
const SIGNATURE_HEADERS: Record<WebhookSource['kind'], string[]> = {
  github: ['x-hub-signature-256'],
  jira: ['x-hub-signature', 'x-hub-signature-256'],
  generic: ['x-foundry-signature', 'x-hub-signature-256', 'x-signature-256'],
};

/** True when one of the kind's signature headers carries `sha256=<hex HMAC of the raw body>`. */
export function verifySignature(source: Pick<WebhookSource, 'kind' | 'secret'>, headers: IncomingHttpHeaders, raw: Buffer): boolean {
  const expected = createHmac('sha256', source.secret).update(raw).digest();
  for (const name of SIGNATURE_HEADERS[source.kind]) {
    const value = headers[name];
    if (typeof value !== 'string') continue;
    const m = /^(?:sha256=)?([0-9a-f]{64})$/i.exec(value.trim());
    if (!m) continue;
    const got = Buffer.from(m[1]!, 'hex');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return true;
  }
  return false;
}

export function sign(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export type Mapped = { route: RouteInput } | { ignore: string };

const path = z.string().min(1).max(300);

/** The mapping of a generic source: task field ← dotted path into the payload. */
export const genericMappingSchema = z.strictObject({
  title: path,
  description: path.optional(),
  priority: path.optional(),
  /** payload value → P1..P4, e.g. {"critical": "P1"} */
  priorityMap: z.record(z.string(), z.enum(PRIORITIES)).optional(),
  tags: z.record(z.string().regex(/^[\w.\-:/@]+$/), path).optional(),
  labels: z.record(z.string().regex(/^[\w.\-:/@]+$/), path).optional(),
  /** route only when this path holds one of these values (e.g. action: ["opened"]) */
  when: z.strictObject({ field: path, in: z.array(z.string()).min(1) }).optional(),
});

export type GenericMapping = z.infer<typeof genericMappingSchema>;

export function mapPayload(source: WebhookSource, headers: IncomingHttpHeaders, payload: unknown): Mapped {
  switch (source.kind) {
    case 'github':
      return github(headers, payload);
    case 'jira':
      return jira(payload);
    default:
      return generic(genericMappingSchema.parse(source.mapping), payload, source.source);
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

function priorityFromLabels(labels: string[]): Priority | undefined {
  for (const l of labels) {
    const p = /^(?:priority[:/ -]*)?p([1-4])$/i.exec(l.trim());
    if (p) return `P${p[1]}` as Priority;
    const w = /^(?:priority|severity)[:/ -]*(critical|urgent|high|medium|normal|low)$/i.exec(l.trim());
    if (w) return wordPriority(w[1]!);
  }
  return undefined;
}

function wordPriority(word: string): Priority | undefined {
  const w = word.toLowerCase();
  if (w === 'highest' || w === 'critical' || w === 'blocker' || w === 'urgent') return 'P1';
  if (w === 'high' || w === 'major') return 'P2';
  if (w === 'medium' || w === 'normal') return 'P3';
  if (w === 'low' || w === 'lowest' || w === 'minor' || w === 'trivial') return 'P4';
  return undefined;
}

/** GitHub `issues` events: opened and reopened issues become tasks; everything else is acknowledged and ignored. */
function github(headers: IncomingHttpHeaders, payload: unknown): Mapped {
  const event = str(headers['x-github-event']);
  if (event === 'ping') return { ignore: 'ping' };
  if (event !== 'issues') return { ignore: `GitHub event ${event || '(none)'} is not routed` };
  const p = payload as { action?: string; issue?: Record<string, unknown>; repository?: { full_name?: string } };
  if (p.action !== 'opened' && p.action !== 'reopened') return { ignore: `issue ${p.action ?? 'event'} is not routed` };
  const issue = p.issue ?? {};
  const labels = Array.isArray(issue.labels) ? issue.labels.map((l) => str((l as { name?: unknown }).name)).filter(Boolean) : [];
  const repo = str(p.repository?.full_name);
  return {
    route: {
      title: str(issue.title),
      description: str(issue.body),
      priority: priorityFromLabels(labels),
      tags: {
        ...(repo ? { repo } : {}),
        ...(issue.number !== undefined ? { issue: `${repo}#${str(issue.number)}` } : {}),
        ...(issue.html_url ? { url: str(issue.html_url) } : {}),
        ...(labels.length ? { labels: labels.join(',') } : {}),
      },
      labels: Object.fromEntries(labels.map((l) => [l, 'true'])),
      source: 'webhook:github',
    },
  };
}

/** Jira's issue webhooks: `jira:issue_created` becomes a task. Descriptions may be text or Atlassian Document Format. */
function jira(payload: unknown): Mapped {
  const p = payload as { webhookEvent?: string; issue?: { key?: string; fields?: Record<string, unknown> } };
  if (p.webhookEvent !== 'jira:issue_created') return { ignore: `Jira event ${p.webhookEvent ?? '(none)'} is not routed` };
  const f = p.issue?.fields ?? {};
  const labels = Array.isArray(f.labels) ? f.labels.map(str).filter(Boolean) : [];
  const components = Array.isArray(f.components) ? f.components.map((c) => str((c as { name?: unknown }).name)).filter(Boolean) : [];
  const project = str((f.project as { key?: unknown } | undefined)?.key);
  const issueType = str((f.issuetype as { name?: unknown } | undefined)?.name);
  return {
    route: {
      title: str(f.summary),
      description: typeof f.description === 'string' ? f.description : adfText(f.description),
      priority: wordPriority(str((f.priority as { name?: unknown } | undefined)?.name)),
      tags: {
        ...(p.issue?.key ? { issue: p.issue.key } : {}),
        ...(project ? { project } : {}),
        ...(issueType ? { type: issueType } : {}),
        ...(components.length ? { components: components.join(',') } : {}),
        ...(labels.length ? { labels: labels.join(',') } : {}),
      },
      labels: Object.fromEntries([...labels, ...components.map((c) => `component:${c}`)].map((l) => [l, 'true'])),
      source: 'webhook:jira',
    },
  };
}

/** Plain text of an Atlassian Document Format node (Jira Cloud REST v3). */
export function adfText(node: unknown): string {
  if (!node || typeof node !== 'object') return '';
  const n = node as { type?: string; text?: string; content?: unknown[] };
  if (n.type === 'text') return n.text ?? '';
  const inner = (n.content ?? []).map(adfText);
  const block = n.type === 'paragraph' || n.type === 'heading' || n.type === 'listItem' || n.type === 'codeBlock';
  return block ? `${inner.join('')}\n` : inner.join(n.type === 'doc' ? '' : '');
}

function generic(m: GenericMapping, payload: unknown, source: string): Mapped {
  if (m.when) {
    const v = str(resolveField(payload, m.when.field));
    if (!m.when.in.includes(v)) return { ignore: `${m.when.field} is ${JSON.stringify(v)}, not one of ${m.when.in.join(', ')}` };
  }
  const title = str(resolveField(payload, m.title));
  if (!title.trim()) throw new AppError('validation', `the payload has no title at ${m.title}`, 'check the source mapping', [{ path: m.title, message: 'missing title' }]);
  let priority: Priority | undefined;
  if (m.priority) {
    const raw = str(resolveField(payload, m.priority));
    priority = m.priorityMap?.[raw] ?? ((PRIORITIES as readonly string[]).includes(raw.toUpperCase()) ? (raw.toUpperCase() as Priority) : wordPriority(raw));
  }
  const pick = (map: Record<string, string> | undefined): Record<string, string> =>
    Object.fromEntries(Object.entries(map ?? {}).map(([k, p]) => [k, str(resolveField(payload, p))]).filter(([, v]) => v !== ''));
  return {
    route: {
      title,
      description: m.description ? str(resolveField(payload, m.description)) : '',
      priority,
      tags: pick(m.tags),
      labels: pick(m.labels),
      source: `webhook:${source}`,
    },
  };
}
