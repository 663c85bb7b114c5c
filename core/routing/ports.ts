/** What the routing engine needs from the store. */
import type { Priority } from '../model.js';
import type { DecisionMethod, Factor } from './decide.js';
import type { RoutingRule } from './rules.js';

/** A decision as stored in routing_decisions. */
export interface StoredDecision {
  id: string;
  orgId: string;
  taskId: string;
  teamId: string | null;
  team: string | null;
  assigneeId: string | null;
  assignee: string | null;
  confidence: number;
  method: DecisionMethod;
  priority: Priority;
  skills: string[];
  factors: Factor[];
  /** how long the decision took, ms */
  latencyMs: number;
  createdAt: number;
}

/** One past task with the team that handled it. `seq` orders the history as it was recorded. */
export interface HistoryRow {
  seq: number;
  orgId: string;
  id: string;
  taskId: string | null;
  title: string;
  description: string;
  team: string;
  assignee: string | null;
  priority: Priority | null;
  tags: Record<string, string>;
  skills: string[];
  /** `import` or `resolved` */
  origin: string;
  createdAt: number;
}

export type NewHistoryRow = Omit<HistoryRow, 'seq'>;

/** A generic or built-in webhook source (`POST /v1/integrations/webhook/:source`). */
export interface WebhookSource {
  orgId: string;
  source: string;
  kind: 'generic' | 'github' | 'jira';
  secret: string;
  /** generic only: task field → dotted path into the payload */
  mapping: Record<string, unknown>;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface RoutingRepo {
  listRules(orgId: string): Promise<RoutingRule[]>;
  /** by id or by name */
  findRule(orgId: string, idOrName: string): Promise<RoutingRule | undefined>;
  insertRule(rule: RoutingRule): Promise<void>;
  updateRule(rule: RoutingRule): Promise<void>;
  deleteRule(orgId: string, id: string): Promise<boolean>;

  insertDecision(d: StoredDecision): Promise<void>;
  decisionForTask(orgId: string, taskId: string): Promise<StoredDecision | undefined>;
  /** When routing last gave each member a task (round robin). */
  lastAssigned(orgId: string, memberIds: readonly string[]): Promise<Map<string, number>>;
  /** Unresolved tasks per assignee. */
  activeTasks(orgId: string): Promise<Map<string, number>>;

  insertHistory(rows: readonly NewHistoryRow[]): Promise<void>;
  /** History rows with seq > afterSeq, oldest first. */
  listHistory(orgId: string, afterSeq: number, limit: number): Promise<HistoryRow[]>;
  countHistory(orgId: string): Promise<number>;
  /** Resolved tasks with a team that are not yet in the history (they join it on load). */
  resolvedNotInHistory(orgId: string, limit: number): Promise<NewHistoryRow[]>;

  getWebhook(source: string): Promise<WebhookSource | undefined>;
  listWebhooks(orgId: string): Promise<WebhookSource[]>;
  upsertWebhook(w: WebhookSource): Promise<void>;
  deleteWebhook(orgId: string, source: string): Promise<boolean>;
}
