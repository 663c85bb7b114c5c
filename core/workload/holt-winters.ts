/**
 * Holt-Winters with a damped trend and weekly seasonality, in both seasonal forms: additive (the
 * weekly pattern adds a fixed number of tasks) and multiplicative (it scales with the level, which
 * fits a growing team whose weekends stay a quarter of its weekdays). Parameters are chosen by grid
 * search on one-step-ahead squared error; damping keeps a short trend from running away.
 */

export type Seasonality = 'additive' | 'multiplicative';

export interface HwParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

export interface HwFit {
  seasonality: Seasonality;
  params: HwParams;
  level: number;
  trend: number;
  /** Seasonal terms indexed by position in the season of the next step: season[(h - 1) % m]. */
  season: number[];
  /** One-step-ahead residual standard deviation. */
  sigma: number;
  n: number;
  m: number;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const BETAS = [0, 0.05, 0.1, 0.2];
const GAMMAS = [0.05, 0.1, 0.2, 0.3, 0.5];
const PHIS = [0.8, 0.9, 0.98];
/** Multiplicative seasonal factors are kept above this, so a day with no tasks cannot zero a weekday forever. */
const MIN_FACTOR = 0.05;

interface State {
  sse: number;
  count: number;
  level: number;
  trend: number;
  season: number[];
}

function run(y: readonly number[], m: number, p: HwParams, kind: Seasonality): State {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < m; i++) {
    s1 += y[i]!;
    s2 += y[i + m]!;
  }
  s1 /= m;
  s2 /= m;
  let level = s1;
  let trend = (s2 - s1) / m;
  const mult = kind === 'multiplicative';
  const season = new Array<number>(m);
  // Seasonal terms from both seed seasons, each against its own mean: one odd first week (a team's
  // first days, a holiday) then weighs half as much.
  for (let i = 0; i < m; i++) {
    season[i] = mult
      ? Math.max(MIN_FACTOR, ((s1 > 0 ? y[i]! / s1 : 1) + (s2 > 0 ? y[i + m]! / s2 : 1)) / 2)
      : (y[i]! - s1 + (y[i + m]! - s2)) / 2;
  }
  // The first season seeds the state; fitting starts after it.
  let sse = 0;
  let count = 0;
  for (let t = m; t < y.length; t++) {
    const si = t % m;
    const s = season[si]!;
    const base = level + p.phi * trend;
    const forecast = mult ? base * s : base + s;
    const err = y[t]! - forecast;
    sse += err * err;
    count++;
    const prevLevel = level;
    level = p.alpha * (mult ? y[t]! / s : y[t]! - s) + (1 - p.alpha) * base;
    if (mult && level < 1e-6) level = 1e-6;
    trend = p.beta * (level - prevLevel) + (1 - p.beta) * p.phi * trend;
    season[si] = mult
      ? Math.max(MIN_FACTOR, p.gamma * (y[t]! / level) + (1 - p.gamma) * s)
      : p.gamma * (y[t]! - level) + (1 - p.gamma) * s;
  }
  return { sse, count, level, trend, season };
}

/** Whether the multiplicative form can be fitted: each of the first two seasons must have some volume. */
export function canFitMultiplicative(y: readonly number[], m = 7): boolean {
  if (y.length < 2 * m) return false;
  let a = 0;
  let b = 0;
  for (let i = 0; i < m; i++) {
    a += y[i]!;
    b += y[i + m]!;
  }
  return a > 0 && b > 0;
}

/** Fits the model; needs at least two full seasons. */
export function fitHoltWinters(y: readonly number[], m = 7, kind: Seasonality = 'additive'): HwFit {
  if (y.length < 2 * m) throw new RangeError(`Holt-Winters needs at least ${2 * m} points, got ${y.length}`);
  if (kind === 'multiplicative' && !canFitMultiplicative(y, m)) throw new RangeError('multiplicative seasonality needs volume in the first two seasons');
  let best: { p: HwParams; sse: number } | null = null;
  for (const alpha of ALPHAS)
    for (const beta of BETAS)
      for (const gamma of GAMMAS)
        for (const phi of PHIS) {
          const p = { alpha, beta, gamma, phi };
          const { sse } = run(y, m, p, kind);
          if (Number.isFinite(sse) && (!best || sse < best.sse)) best = { p, sse };
        }
  const params = best?.p ?? { alpha: 0.3, beta: 0, gamma: 0.1, phi: 0.9 };
  const final = run(y, m, params, kind);
  // Season state is indexed by absolute position mod m; rotate it so index 0 is the next step.
  const n = y.length;
  const season = Array.from({ length: m }, (_, i) => final.season[(n + i) % m]!);
  return {
    seasonality: kind,
    params,
    level: final.level,
    trend: final.trend,
    season,
    sigma: final.count > 0 ? Math.sqrt(final.sse / final.count) : 0,
    n,
    m,
  };
}

/** Forecast h steps ahead; counts cannot be negative, so forecasts are floored at zero. */
export function forecastHoltWinters(fit: HwFit, h: number): number[] {
  const out: number[] = [];
  let damp = 0;
  let phiPow = 1;
  for (let k = 1; k <= h; k++) {
    phiPow *= fit.params.phi;
    damp += phiPow;
    const base = fit.level + damp * fit.trend;
    const s = fit.season[(k - 1) % fit.m]!;
    out.push(Math.max(0, fit.seasonality === 'multiplicative' ? base * s : base + s));
  }
  return out;
}

/** Mean absolute percentage error in %, over points whose actual value is not zero; null if none. */
export function mape(actual: readonly number[], predicted: readonly number[]): number | null {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    if (a === 0) continue;
    sum += Math.abs(a - predicted[i]!) / Math.abs(a);
    count++;
  }
  return count === 0 ? null : (sum / count) * 100;
}

function mae(actual: readonly number[], predicted: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - predicted[i]!);
  return actual.length === 0 ? 0 : sum / actual.length;
}

export type ModelKind = 'holt-winters-additive' | 'holt-winters-multiplicative' | 'seasonal-naive';

/** A fitted forecaster of any kind. */
export interface Forecaster {
  kind: ModelKind;
  params: HwParams | null;
  sigma: number;
  forecast(h: number): number[];
}

/** Same weekday last week: the baseline every model must beat. */
export function seasonalNaive(y: readonly number[], m = 7): Forecaster {
  const last = y.slice(-m);
  let sse = 0;
  let count = 0;
  for (let t = m; t < y.length; t++) {
    sse += (y[t]! - y[t - m]!) ** 2;
    count++;
  }
  return {
    kind: 'seasonal-naive', params: null, sigma: count ? Math.sqrt(sse / count) : 0,
    forecast: (h) => Array.from({ length: h }, (_, k) => last[k % m]!),
  };
}

function hw(y: readonly number[], m: number, kind: Seasonality): Forecaster {
  const fit = fitHoltWinters(y, m, kind);
  return { kind: `holt-winters-${kind}`, params: fit.params, sigma: fit.sigma, forecast: (h) => forecastHoltWinters(fit, h) };
}

/** Fits a model of the given kind. */
export function fitModel(y: readonly number[], m: number, kind: ModelKind): Forecaster {
  if (kind === 'seasonal-naive') return seasonalNaive(y, m);
  return hw(y, m, kind === 'holt-winters-multiplicative' ? 'multiplicative' : 'additive');
}

/**
 * Picks the kind of model for a series by how well each forecasts the series' own recent weeks when
 * fitted on the days before them (rolling origin over up to `folds` weeks, by MAPE, the figure
 * that is reported). The caller's held-out days must not be in `y`, so the error reported on them
 * stays honest.
 */
export function selectModel(y: readonly number[], m = 7, folds = 3): ModelKind {
  const kinds: ModelKind[] = ['holt-winters-additive', 'holt-winters-multiplicative', 'seasonal-naive'];
  const errors = new Map<ModelKind, number[]>();
  for (let k = 1; k <= folds; k++) {
    const cut = y.length - k * m;
    if (cut < 2 * m) break;
    const fitPart = y.slice(0, cut);
    const check = y.slice(cut, cut + m);
    for (const kind of kinds) {
      if (kind === 'holt-winters-multiplicative' && !canFitMultiplicative(fitPart, m)) continue;
      const list = errors.get(kind) ?? [];
      // Judged by the figure that is reported (MAPE); a week without any task falls back to MAE.
      const predicted = fitModel(fitPart, m, kind).forecast(m);
      list.push(mape(check, predicted) ?? mae(check, predicted) * 100);
      errors.set(kind, list);
    }
  }
  let best: { kind: ModelKind; err: number } | null = null;
  for (const kind of kinds) {
    const list = errors.get(kind);
    // A kind that could not be tried on every fold is not compared on equal terms.
    if (!list || list.length !== (errors.get('holt-winters-additive')?.length ?? 0)) continue;
    const err = list.reduce((a, b) => a + b, 0) / list.length;
    // Ties go to the earlier kind.
    if (!best || err < best.err - 1e-9) best = { kind, err };
  }
  return best?.kind ?? 'holt-winters-additive';
}
