import type { MetricBucket, MetricNameSummary, MetricQuery, MetricsRepo } from '../../../core/metrics/ports.js';
import { seriesKey, type MetricPoint } from '../../../core/metrics/model.js';
import { dropPartitionsBefore, ensureDailyPartitions } from '../pg-partitions.js';
import type { SqlDb, SqlValue } from '../sql.js';
import { json, num, parseJson, powerOfTwoParts, valueRows } from '../sql.js';

type Row = Record<string, unknown>;
const HOUR = 3_600_000;
// 4 parameters a row; 512 rows stay far below SQLite's and PostgreSQL's parameter limits
const ROWS_PER_INSERT = 512;
// 9 parameters a rollup row; a power of two
const ROLLUP_ROWS = 128;

interface HourAgg {
  name: string;
  series: string;
  tags: string;
  hour: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Series ids per database handle; an id is cached only once the row that holds it is committed. */
const seriesIds = new WeakMap<SqlDb, Map<string, number>>();

/** system_metrics (raw points by series id), metric_series, and system_metrics_hourly (the continuous aggregate). */
export class SqlMetricsRepo implements MetricsRepo {
  constructor(protected readonly db: SqlDb) {}

  private async seriesId(db: SqlDb, orgId: string, name: string, series: string, tags: Record<string, string>): Promise<number> {
    let cache = seriesIds.get(this.db);
    if (!cache) seriesIds.set(this.db, (cache = new Map()));
    const key = `${orgId}\u0000${series}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    await db.run(
      'INSERT INTO metric_series (organization_id, name, series, tags, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (organization_id, series) DO NOTHING',
      [orgId, name, series, json(tags), Date.now()],
    );
    const row = await db.get<Row>('SELECT id FROM metric_series WHERE organization_id = ? AND series = ?', [orgId, series]);
    const id = num(row!.id);
    db.onCommit(() => cache.set(key, id));
    return id;
  }

  async insertPoints(orgId: string, points: readonly MetricPoint[]): Promise<number> {
    if (points.length === 0) return 0;
    await this.db.transaction(async (db) => {
      await ensureDailyPartitions(this.db, db, points.map((p) => p.at));
      const hours = new Map<string, HourAgg>();
      const ids = new Map<string, number>();
      const seriesIds: number[] = [];
      for (const p of points) {
        const series = seriesKey(p.name, p.tags);
        let id = ids.get(series);
        if (id === undefined) {
          id = await this.seriesId(db, orgId, p.name, series, p.tags);
          ids.set(series, id);
        }
        seriesIds.push(id);
        const hour = p.at - (((p.at % HOUR) + HOUR) % HOUR);
        const k = `${series}\u0000${hour}`;
        const agg = hours.get(k);
        if (agg) {
          agg.count++;
          agg.sum += p.value;
          if (p.value < agg.min) agg.min = p.value;
          if (p.value > agg.max) agg.max = p.value;
        } else {
          hours.set(k, { name: p.name, series, tags: json(p.tags), hour, count: 1, sum: p.value, min: p.value, max: p.value });
        }
      }
      // the points, in parts of 512, 256, … rows: a handful of statement shapes whatever the batch size
      let at = 0;
      for (const part of powerOfTwoParts(points, ROWS_PER_INSERT)) {
        const params: SqlValue[] = [];
        for (const p of part) params.push(orgId, seriesIds[at++]!, p.at, p.value);
        await db.run(`INSERT INTO system_metrics (organization_id, series_id, at, value) VALUES ${valueRows(part.length, 4)}`, params);
      }
      // the hourly rollup: one upsert statement for up to ROLLUP_ROWS (series, hour) pairs, each pair once
      for (const part of powerOfTwoParts([...hours.values()], ROLLUP_ROWS)) {
        const values: SqlValue[] = [];
        for (const a of part) values.push(orgId, a.name, a.series, a.tags, a.hour, a.count, a.sum, a.min, a.max);
        // CASE instead of MIN()/LEAST(): the same SQL works on SQLite and PostgreSQL
        await db.run(
          `INSERT INTO system_metrics_hourly (organization_id, name, series, tags, hour, count, sum, min, max)
           VALUES ${valueRows(part.length, 9)}
           ON CONFLICT (organization_id, series, hour) DO UPDATE SET
             count = system_metrics_hourly.count + excluded.count,
             sum = system_metrics_hourly.sum + excluded.sum,
             min = CASE WHEN excluded.min < system_metrics_hourly.min THEN excluded.min ELSE system_metrics_hourly.min END,
             max = CASE WHEN excluded.max > system_metrics_hourly.max THEN excluded.max ELSE system_metrics_hourly.max END`,
          values,
        );
      }
    });
    return points.length;
  }

  async queryBuckets(orgId: string, q: MetricQuery): Promise<MetricBucket[]> {
    const bucket = Math.max(1000, Math.floor(q.bucketMs));
    const fromRollup = bucket % HOUR === 0;
    const wanted = q.tags && Object.keys(q.tags).length > 0 ? q.tags : null;
    // group per series and bucket in SQL, then merge series (and apply the tag filter) here; GROUP BY by
    // position, as PostgreSQL does not see `hour - (hour % $1)` and `hour - (hour % $6)` as one expression
    const rows = fromRollup
      ? await this.db.all<Row>(
          `SELECT tags, hour - (hour % ?) AS b, SUM(count) AS n, SUM(sum) AS s, MIN(min) AS lo, MAX(max) AS hi
           FROM system_metrics_hourly WHERE organization_id = ? AND name = ? AND hour >= ? AND hour < ?
           GROUP BY 1, 2`,
          [bucket, orgId, q.name, q.since - (((q.since % HOUR) + HOUR) % HOUR), q.until],
        )
      : await this.db.all<Row>(
          `SELECT s.tags AS tags, m.at - (m.at % ?) AS b, COUNT(*) AS n, SUM(m.value) AS s, MIN(m.value) AS lo, MAX(m.value) AS hi
           FROM metric_series s JOIN system_metrics m ON m.series_id = s.id
           WHERE s.organization_id = ? AND s.name = ? AND m.organization_id = ? AND m.at >= ? AND m.at < ?
           GROUP BY 1, 2`,
          [bucket, orgId, q.name, orgId, q.since, q.until],
        );
    const merged = new Map<number, MetricBucket & { sum: number }>();
    for (const r of rows) {
      if (wanted) {
        const tags = parseJson<Record<string, string>>(r.tags, {});
        if (!Object.entries(wanted).every(([k, v]) => tags[k] === v)) continue;
      }
      const start = num(r.b);
      const n = num(r.n);
      const s = num(r.s);
      const lo = num(r.lo);
      const hi = num(r.hi);
      const m = merged.get(start);
      if (m) {
        m.count += n;
        m.sum += s;
        if (lo < m.min) m.min = lo;
        if (hi > m.max) m.max = hi;
      } else {
        merged.set(start, { start, count: n, sum: s, avg: 0, min: lo, max: hi });
      }
    }
    return [...merged.values()]
      .sort((a, b) => a.start - b.start)
      .map(({ sum, ...b }) => ({ ...b, avg: b.count > 0 ? sum / b.count : 0 }));
  }

  async recentPoints(orgId: string, name: string, since: number, limit: number): Promise<MetricPoint[]> {
    const n = Math.max(1, Math.min(Math.floor(limit), 100_000));
    const rows = await this.db.all<Row>(
      `SELECT s.name AS name, s.tags AS tags, m.at AS at, m.value AS value
       FROM metric_series s JOIN system_metrics m ON m.series_id = s.id
       WHERE s.organization_id = ? AND s.name = ? AND m.organization_id = ? AND m.at >= ?
       ORDER BY m.at DESC LIMIT ${n}`,
      [orgId, name, orgId, since],
    );
    return rows.reverse().map((r) => ({ name: r.name as string, tags: parseJson(r.tags, {}), at: num(r.at), value: num(r.value) }));
  }

  async listNames(orgId: string): Promise<MetricNameSummary[]> {
    const rows = await this.db.all<Row>(
      `SELECT name, COUNT(DISTINCT series) AS series, SUM(count) AS points, MAX(hour) AS last_hour
       FROM system_metrics_hourly WHERE organization_id = ? GROUP BY name ORDER BY name`,
      [orgId],
    );
    return rows.map((r) => ({ name: r.name as string, series: num(r.series), points: num(r.points), lastAt: num(r.last_hour) }));
  }

  async prune(orgId: string, rawBefore: number, rollupBefore: number): Promise<number> {
    // Whole days go at once where the table is partitioned (PostgreSQL); the rest row by row.
    let n = await dropPartitionsBefore(this.db, rawBefore);
    const series = await this.db.all<Row>('SELECT id FROM metric_series WHERE organization_id = ?', [orgId]);
    for (const r of series) {
      // per series, so the (series_id, at) index does the work
      n += await this.db.run('DELETE FROM system_metrics WHERE organization_id = ? AND series_id = ? AND at < ?', [orgId, num(r.id), rawBefore]);
    }
    n += await this.db.run('DELETE FROM system_metrics_hourly WHERE organization_id = ? AND hour < ?', [orgId, rollupBefore]);
    return n;
  }
}
