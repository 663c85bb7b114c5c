/**
 * The interfaces engines need from the outside world. core/ never imports an implementation;
 * server/ provides SQLite/PostgreSQL stores, in-process/Redis buses and the rest.
 */
import type {
  Actor, AuditDraft, AuditEntry, BusEvent, EventDraft, Member, Org, Role, Task, TaskStatus, Team, Token, User,
} from './model.js';
import type { RoutingRepo } from './routing/ports.js';
import type { HealingRepo } from './healing/ports.js';
import type { ComplianceRepo } from './compliance/ports.js';
import type { WorkloadRepo } from './workload/ports.js';
import type { AssistantRepo } from './assistant/ports.js';
import type { MetricsRepo } from './metrics/ports.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface OrgRepo {
  insert(org: Org): Promise<void>;
  get(id: string): Promise<Org | undefined>;
  list(): Promise<Org[]>;
}

export interface TeamRepo {
  insert(team: Team): Promise<void>;
  update(team: Team): Promise<void>;
  /** Looks a team up by id or by name. */
  find(orgId: string, idOrName: string): Promise<Team | undefined>;
  list(orgId: string): Promise<Team[]>;
}

export interface MemberFilter {
  teamId?: string;
}

export interface MemberRepo {
  insert(member: Member): Promise<void>;
  update(member: Member): Promise<void>;
  /** Looks a member up by id or by name. */
  find(orgId: string, idOrName: string): Promise<Member | undefined>;
  list(orgId: string, filter?: MemberFilter): Promise<Member[]>;
}

export interface UserRepo {
  insert(user: User): Promise<void>;
  get(orgId: string, id: string): Promise<User | undefined>;
  findByName(orgId: string, name: string): Promise<User | undefined>;
  list(orgId: string): Promise<User[]>;
  remove(orgId: string, id: string): Promise<boolean>;
}

/** A token with the user it belongs to, as the authenticator needs it. */
export interface TokenGrant {
  token: Token;
  user: User;
}

export interface TokenRepo {
  insert(token: Token): Promise<void>;
  grant(id: string): Promise<TokenGrant | undefined>;
  get(orgId: string, id: string): Promise<Token | undefined>;
  listForUser(orgId: string, userId: string): Promise<Token[]>;
  revoke(orgId: string, id: string, at: number): Promise<boolean>;
  revokeAllForUser(orgId: string, userId: string, at: number): Promise<number>;
}

export interface TaskFilter {
  status?: TaskStatus | TaskStatus[];
  teamId?: string;
  assigneeId?: string;
  since?: number;
  limit?: number;
  /** Tasks created before this id's task, for paging; newest first. */
  before?: string;
}

export interface TaskRepo {
  insert(task: Task): Promise<void>;
  insertMany(tasks: Task[]): Promise<void>;
  update(task: Task): Promise<void>;
  get(orgId: string, id: string): Promise<Task | undefined>;
  list(orgId: string, filter?: TaskFilter): Promise<Task[]>;
  count(orgId: string, filter?: TaskFilter): Promise<number>;
}

export interface EventQuery {
  afterId?: number;
  types?: string[];
  limit?: number;
}

export interface EventRepo {
  insert(orgId: string, actor: string, at: number, drafts: EventDraft[]): Promise<BusEvent[]>;
  list(orgId: string, query?: EventQuery): Promise<BusEvent[]>;
  lastId(orgId: string): Promise<number>;
  /** Drops events older than `before`, keeping at least the newest `keep` of each org. */
  prune(before: number): Promise<number>;
}

export interface AuditRepo {
  /** Appends an entry whose hash covers the org's previous entry. Must run inside a transaction. */
  append(orgId: string, actor: string, at: number, draft: AuditDraft): Promise<AuditEntry>;
  /** Several entries in order, each covering the one before; one read of the chain's head. Inside a transaction. */
  appendMany(orgId: string, actor: string, at: number, drafts: readonly AuditDraft[]): Promise<AuditEntry[]>;
  list(orgId: string, limit?: number, beforeId?: number): Promise<AuditEntry[]>;
  /** Every entry of the org in id order, for verification. */
  chain(orgId: string): Promise<AuditEntry[]>;
}

export interface Repos {
  orgs: OrgRepo;
  teams: TeamRepo;
  members: MemberRepo;
  users: UserRepo;
  tokens: TokenRepo;
  tasks: TaskRepo;
  events: EventRepo;
  audit: AuditRepo;
  routing: RoutingRepo;
  healing: HealingRepo;
  compliance: ComplianceRepo;
  workload: WorkloadRepo;
  assistant: AssistantRepo;
  metrics: MetricsRepo;
}

export interface Tx extends Repos {
  /** Runs after COMMIT, before the next transaction starts (so events leave in commit order). */
  onCommit(fn: () => void): void;
}

export interface Store extends Repos {
  readonly kind: 'sqlite' | 'postgres';
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Subscription {
  close(): void;
}

export interface SubscribeOptions {
  types?: string[];
  /** Replay retained events after this id before going live. */
  afterId?: number;
}

export interface EventBus {
  /** Hands committed events to subscribers (and, in scaled mode, to other daemons). */
  publish(events: BusEvent[]): void;
  subscribe(orgId: string, options: SubscribeOptions, listener: (event: BusEvent) => void): Promise<Subscription>;
  close(): Promise<void>;
}

/**
 * Leases for periodic work that exactly one daemon should do at a time (health checks, compliance
 * sweep, workload snapshots). A holder renews by acquiring again before the lease runs out; if it dies,
 * the lease expires and another daemon takes over with a higher fencing number.
 */
export interface Leases {
  /** The lease if this daemon holds it now (newly or renewed), else null. */
  acquire(name: string, ttlMs: number): Promise<{ fence: number } | null>;
  release(name: string): Promise<void>;
}

/** The outcome of a unit of work: its value plus what to record about it. */
export interface Change<T> {
  value: T;
  audit?: AuditDraft | AuditDraft[];
  events?: EventDraft[];
}

export type Commit = <T>(actor: Actor, work: (tx: Tx) => Promise<Change<T>>) => Promise<T>;

export type { Role };
