import type { PlaybookSpec } from '../playbooks/schema.js';
import type { RenderedStep } from '../playbooks/render.js';
import type { ActionStatus, HealingAction, StepOutput, StepRecord } from './model.js';

/** A stored playbook: the validated definition plus the file it came from and its switch. */
export interface PlaybookRecord {
  id: string;
  organizationId: string;
  name: string;
  spec: PlaybookSpec;
  /** The text as added (YAML or JSON), shown by `playbooks show`. */
  source: string;
  enabled: boolean;
  /** Why it is off: set by the circuit breaker or by a person. */
  disabledReason: string | null;
  /** When it was last switched on; the circuit breaker counts failures after this only. */
  enabledAt: number;
  version: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface ActionFilter {
  status?: ActionStatus[];
  playbookId?: string;
  issueId?: string;
  target?: string;
  /** Created at or after. */
  since?: number;
  /** Finished at or after. */
  finishedSince?: number;
  limit?: number;
}

/** Healing area repository, action half: playbooks, actions and their step records. */
export interface HealingActionRepo {
  insertPlaybook(p: PlaybookRecord): Promise<void>;
  updatePlaybook(p: PlaybookRecord): Promise<void>;
  /** By id or by name. */
  findPlaybook(orgId: string, idOrName: string): Promise<PlaybookRecord | null>;
  listPlaybooks(orgId: string): Promise<PlaybookRecord[]>;

  /**
   * Stores a new action. With `dedupeKey`, at most one action per key is ever stored: false means one
   * already was (another daemon started the same thing), and nothing was written.
   */
  insertAction(a: HealingAction, dedupeKey?: string): Promise<boolean>;
  updateAction(a: HealingAction): Promise<void>;
  getAction(orgId: string, id: string): Promise<HealingAction | null>;
  /** Newest first. */
  listActions(orgId: string, filter?: ActionFilter): Promise<HealingAction[]>;
  countActions(orgId: string, filter?: ActionFilter): Promise<number>;
  /** Actions of every organisation still under way (pending, running or awaiting approval), for recovery after a restart. */
  unfinishedActions(): Promise<Array<{ orgId: string; id: string; status: ActionStatus }>>;

  /** Inserts or replaces the record of (action, phase, step). */
  putStep(s: StepRecord): Promise<void>;
  /**
   * Records a step as running only if nobody else has: a first attempt only when no record exists, a
   * repeat only when the record still shows attempt `s.attempt - 1` as running. False: another worker has it.
   */
  claimStep(s: StepRecord): Promise<boolean>;
  listSteps(orgId: string, actionId: string): Promise<StepRecord[]>;
}

export interface StepResult {
  ok: boolean;
  output: StepOutput;
  error?: string;
}

type Of<T extends RenderedStep['type']> = Extract<RenderedStep, { type: T }>;

/** What a step needs to know about where it runs. */
export interface StepMeta {
  orgId: string;
  actionId: string;
  stepId: string;
  /** The playbook marks the step safe to run twice (an http step may then be retried whatever its method). */
  idempotent?: boolean;
}

/** The I/O behind each step type; server/ provides them (exec without a shell, undici, nodemailer …). */
export interface StepExecutors {
  exec(step: Of<'exec'>, meta: StepMeta): Promise<StepResult>;
  http(step: Of<'http'>, meta: StepMeta): Promise<StepResult>;
  wait(step: Of<'wait'>, meta: StepMeta): Promise<StepResult>;
  verify(step: Of<'verify'>, meta: StepMeta): Promise<StepResult>;
  notify(step: Of<'notify'>, meta: StepMeta): Promise<StepResult>;
}

/** Counters the daemon exposes on /metrics. */
export interface HealingActionMetrics {
  actionFinished(status: ActionStatus): void;
}
