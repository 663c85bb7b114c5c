// Rows for the live event stream and the metrics view.
import type { EventVM, MetricSeriesVM } from '../model.js';
import type { Column, Row, Tone } from './columns.js';
import { compact, sparkline } from './format.js';

export const eventColumns: readonly Column[] = [
  { title: 'TIME', width: 8 },
  { title: 'TYPE', width: 24 },
  { title: 'SUBJECT', width: 20, drop: 1 },
  { title: 'SUMMARY', width: 20, grow: true },
];

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

function eventTone(type: string): Tone {
  if (/detected|breach|failed|alert/.test(type)) return 'bad';
  if (/awaiting|escalat/.test(type)) return 'accent';
  if (/resolved|succeeded|executed|approved/.test(type)) return 'ok';
  return 'normal';
}

export function eventRow(e: EventVM): Row {
  return { key: e.id, cells: [clock(e.at), e.type, e.subject, e.summary], tone: eventTone(e.type) };
}

export const metricColumns: readonly Column[] = [
  { title: 'SERIES', width: 22 },
  { title: 'LAST', width: 7, align: 'right' },
  { title: 'TREND', width: 20, grow: true },
];

export function metricRow(m: MetricSeriesVM): Row {
  return { key: m.name, cells: [m.name, compact(m.last), (w) => sparkline(m.points, w)], tone: 'normal' };
}
