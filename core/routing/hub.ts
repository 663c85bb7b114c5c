/**
 * One classifier per organisation, kept in memory and fed from the history table: trained in the
 * background (pausing so the daemon keeps serving), then updated incrementally as rows arrive;
 * retrained from scratch only when the history has grown by a large share since the last training.
 */
import { DEFAULT_CLASSIFIER, TeamClassifier, type ClassifierOptions, type HistoryItem, type TrainingReport } from './classifier.js';
import type { HistoryRow, RoutingRepo } from './ports.js';

export interface HubDeps {
  repo: Pick<RoutingRepo, 'listHistory'>;
  /** yields to the event loop during training */
  pause: () => Promise<void>;
  clock: () => number;
  options?: ClassifierOptions;
  /** told when a training finishes (logs) */
  onTrained?: (orgId: string, report: TrainingReport) => void;
  /** told when loading fails (the previous model, if any, keeps serving) */
  onError?: (orgId: string, err: unknown) => void;
}

interface OrgModel {
  classifier: TeamClassifier | null;
  /** last history seq learned */
  seq: number;
  trainedSize: number;
  loading: Promise<void> | null;
  /** another refresh was asked for while one ran */
  again: boolean;
}

/** Below this many items a first training is quick enough to wait for. */
const WAIT_LIMIT = 5_000;
/** Growth since the last full training above which we retrain instead of adding. */
const RETRAIN_SHARE = 0.25;
const PAGE = 10_000;

export type ModelState =
  | { status: 'ready'; classifier: TeamClassifier }
  | { status: 'empty' }
  | { status: 'training'; items: number; classifier: TeamClassifier | null };

export class ClassifierHub {
  private readonly orgs = new Map<string, OrgModel>();

  private closed = false;

  constructor(private readonly deps: HubDeps) {}

  /** Stops background work at its next pause (the daemon is shutting down); waits for it to end. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.orgs.values()].map((m) => m.loading));
  }

  /** The classifier to use now. Starts loading an org on first use; waits only for small histories. */
  async get(orgId: string): Promise<ModelState> {
    let m = this.orgs.get(orgId);
    if (!m) {
      m = { classifier: null, seq: 0, trainedSize: 0, loading: null, again: false };
      this.orgs.set(orgId, m);
      this.refresh(orgId);
    }
    if (m.loading && !m.classifier) {
      // the first page tells how big the history is; small ones are trained before answering
      await Promise.race([m.loading, new Promise((r) => setTimeout(r, 200))]);
      if (m.loading) {
        const pending = this.pending.get(orgId) ?? 0;
        if (pending > WAIT_LIMIT) return { status: 'training', items: pending, classifier: null };
        await m.loading;
      }
    }
    if (m.classifier && m.classifier.size > 0) return { status: 'ready', classifier: m.classifier };
    if (m.loading) return { status: 'training', items: 0, classifier: null };
    return { status: 'empty' };
  }

  /** Learns history rows recorded since the last look (after an import, a resolved task, or periodically). */
  refresh(orgId: string): Promise<void> {
    let m = this.orgs.get(orgId);
    if (!m) {
      m = { classifier: null, seq: 0, trainedSize: 0, loading: null, again: false };
      this.orgs.set(orgId, m);
    }
    if (m.loading) {
      m.again = true;
      return m.loading;
    }
    const model = m;
    if (this.closed) return Promise.resolve();
    model.loading = this.load(orgId, model).catch((err: unknown) => {
      if (!this.closed) this.deps.onError?.(orgId, err);
    }).finally(() => {
      model.loading = null;
      if (model.again && !this.closed) {
        model.again = false;
        void this.refresh(orgId);
      }
    });
    return model.loading;
  }

  /** Orgs with a model in memory. */
  get loaded(): string[] {
    return [...this.orgs.keys()];
  }

  /** items being loaded per org, to decide whether a first request should wait */
  private readonly pending = new Map<string, number>();

  private async load(orgId: string, m: OrgModel): Promise<void> {
    const fresh = await this.rowsAfter(orgId, m.seq);
    if (fresh.length === 0) return;
    const lastSeq = fresh[fresh.length - 1]!.seq;
    const current = m.classifier;
    if (current && current.size > 0 && current.size + fresh.length <= m.trainedSize * (1 + RETRAIN_SHARE)) {
      current.add(fresh.map(toItem));
      m.seq = lastSeq;
      return;
    }
    // Retrain from scratch on everything; the old model keeps serving until the new one is ready.
    // Old rows are read again from the store rather than kept twice in memory.
    const all = current ? (await this.rowsAfter(orgId, 0)).filter((r) => r.seq <= lastSeq) : fresh;
    this.pending.set(orgId, all.length);
    const next = new TeamClassifier(this.deps.options ?? sizedFor(all.length));
    const pause = async (): Promise<void> => {
      await this.deps.pause();
      if (this.closed) throw new Error('stopped');
    };
    const report = await next.trainAsync(all.map(toItem), pause, this.deps.clock);
    m.classifier = next;
    m.trainedSize = all.length;
    m.seq = lastSeq;
    this.deps.onTrained?.(orgId, report);
  }

  private async rowsAfter(orgId: string, seq: number): Promise<HistoryRow[]> {
    const rows: HistoryRow[] = [];
    for (;;) {
      const page = await this.deps.repo.listHistory(orgId, rows.length ? rows[rows.length - 1]!.seq : seq, PAGE);
      rows.push(...page);
      this.pending.set(orgId, rows.length);
      if (page.length < PAGE) return rows;
    }
  }
}

function toItem(r: Pick<HistoryRow, 'id' | 'title' | 'description' | 'team' | 'skills'>): HistoryItem {
  return { id: r.id, title: r.title, description: r.description, team: r.team, skills: r.skills.length ? r.skills : undefined };
}

/**
 * The default options with a hashed feature space sized to the history: a small organisation's model
 * need not hold the 2^19-wide weight vectors a 30,000-task history uses (memory grows with width × teams).
 */
export function sizedFor(items: number): ClassifierOptions {
  const bits = items < 5_000 ? 16 : items < 15_000 ? 18 : DEFAULT_CLASSIFIER.bits;
  return { ...DEFAULT_CLASSIFIER, bits: Math.min(bits, DEFAULT_CLASSIFIER.bits) };
}
