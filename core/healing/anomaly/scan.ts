import { AppError } from '../../errors.js';
import { DEFAULT_DETECTOR_CONFIG, StreamingDetector, type DetectorConfig } from './detector.js';
import { DEFAULT_ALERT_THRESHOLD } from './threshold.js';

export interface ScanOptions {
  config?: DetectorConfig;
}

export interface ScanResult {
  rows: number;
  csv: string;
  maxScore: number;
  /** Rows at or above the alerting threshold. */
  alarms: number;
}

/**
 * Offline scan: CSV `timestamp,value` in, CSV `timestamp,value,anomaly_score` out, one row per input
 * row. Timestamps are copied through untouched; a bad row fails the whole scan with its line number.
 */
export function scanCsv(text: string, opts: ScanOptions = {}): ScanResult {
  const det = new StreamingDetector(opts.config ?? DEFAULT_DETECTOR_CONFIG);
  const parts: string[] = ['timestamp,value,anomaly_score\n'];
  let pos = 0;
  let line = 0;
  let rows = 0;
  let maxScore = 0;
  let alarms = 0;
  const len = text.length;
  // header
  let nl = text.indexOf('\n', pos);
  const header = (nl < 0 ? text : text.slice(0, nl)).trim().toLowerCase();
  line = 1;
  if (header.replace(/\s/g, '') !== 'timestamp,value') {
    throw new AppError('usage', `line 1: expected header "timestamp,value", got "${header.slice(0, 60)}"`);
  }
  pos = nl < 0 ? len : nl + 1;
  let chunk = '';
  while (pos < len) {
    nl = text.indexOf('\n', pos);
    const end = nl < 0 ? len : nl;
    line++;
    let row = text.slice(pos, end);
    pos = end + 1;
    if (row.endsWith('\r')) row = row.slice(0, -1);
    if (row.length === 0) continue;
    const comma = row.indexOf(',');
    if (comma <= 0 || row.indexOf(',', comma + 1) >= 0) {
      throw new AppError('usage', `line ${line}: expected "timestamp,value"`);
    }
    const ts = row.slice(0, comma);
    const c0 = ts.charCodeAt(0);
    // a full date parse per row would halve the scan rate; a timestamp starts with a digit in both formats
    if (!(c0 >= 48 && c0 <= 57)) throw new AppError('usage', `line ${line}: timestamp "${ts.slice(0, 40)}" is neither ISO-8601 nor epoch seconds`);
    const vs = row.slice(comma + 1);
    const value = Number(vs);
    if (vs.trim() === '' || !Number.isFinite(value)) throw new AppError('usage', `line ${line}: value "${vs}" is not a number`);
    const score = det.update(value);
    if (score > maxScore) maxScore = score;
    if (score >= DEFAULT_ALERT_THRESHOLD) alarms++;
    chunk += `${ts},${vs},${score === 0 ? '0' : score.toFixed(6)}\n`;
    if (chunk.length > 65536) {
      parts.push(chunk);
      chunk = '';
    }
    rows++;
  }
  parts.push(chunk);
  return { rows, csv: parts.join(''), maxScore, alarms };
}
