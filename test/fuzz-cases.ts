import type { Route } from '../server/http/route.js';
import { prng } from '../core/random.js';

/** One hostile request: path and query already encoded (sent as-is), headers may repeat. */
export interface FuzzCase {
  kind: string;
  method: string;
  path: string;
  headers: [string, string][];
  body?: Buffer | string;
}


type Def = { type: string; shape?: Record<string, { _zod: { def: Def } }>; innerType?: { _zod: { def: Def } }; in?: { _zod: { def: Def } } };

/** The top-level field names of a zod object schema (through optional/default/pipe wrappers). */
export function schemaKeys(schema: unknown): string[] {
  let def = (schema as { _zod?: { def: Def } } | undefined)?._zod?.def;
  for (let i = 0; def && i < 8; i++) {
    if (def.type === 'object' && def.shape) return Object.keys(def.shape);
    def = (def.innerType ?? def.in)?._zod.def;
  }
  return [];
}

const UNICODE = [
  '\u0000', '\ud800', '\udfff', '\u202e\u0645\u0631\u062d\u0628\u0627', '\u200b\u200d\ufeff', 'e\u0301\u0301\u0301\u0301',
  '\ud83d\udd25'.repeat(500), '\uffff\ufffe', 'Z\u0351\u0352\u0353\u0354'.repeat(200), '\u0085\u2028\u2029', 'ＡＢＣ', '𝕳𝖊𝖑𝖑𝖔',
];

const SEGMENTS = [
  '..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2f', '....//....//', '%00', 'a%00b', '%', '%zz', '%C0%AE%C0%AE',
  '%E2%80%AE', encodeURIComponent('\ud83d\udd25'), 'x'.repeat(5000), '-1', '0', '1e309', 'NaN', 'null', 'undefined',
  '%20', '__proto__', 'constructor', "'%20OR%201=1--", '%3Cscript%3E', '~root', 'C:%5CWindows', '%2F', ';', '.',
];

const QUERIES = [
  'limit=-1', 'limit=1e309', 'limit=abc', 'limit=99999999999999999999', 'since=-5', 'since=%00', 'types=' + 'a,'.repeat(3000),
  'limit=1&limit=2&limit=3', 'status[]=x', '__proto__[x]=1', 'q=%ZZ', '=', '&&&', 'format=../../etc', 'since=30d&since=abc',
  'team=%ED%A0%80', 'days=1e9', 'bucket=0s', 'at=not-a-date',
];

function nested(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** Values of every wrong type (and some right types with hostile contents) for one field. */
function wrongValues(rand: () => number): unknown[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  return [
    null, true, 0, -1, 1e308, -0, 3.14, '', ' ', [], {}, [null], { '': null }, 'x'.repeat(200_000),
    Array.from({ length: 50_000 }, (_, i) => i), Array.from({ length: 2000 }, () => 'x'.repeat(100)),
    pick(UNICODE), { $gt: '' }, { __proto__: { admin: true } }, ['a', 1, null, {}], '2026-13-45T99:99:99Z',
    'P1; DROP TABLE tasks;--', '{{issue.labels.service}}', '$(rm -rf /)', Number.MAX_SAFE_INTEGER + 2,
  ];
}

/** Builds `count` malformed requests for a route, cycling through the categories. */
export function casesFor(route: Route, count: number, seed: number): FuzzCase[] {
  const rand = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const keys = schemaKeys(route.body);
  const json: [string, string] = ['content-type', 'application/json'];
  const path = (): string => route.path.replace(/:[A-Za-z]+/g, () => pick(SEGMENTS));
  const plainPath = (): string => route.path.replace(/:[A-Za-z]+/g, () => `x${Math.floor(rand() * 1e6)}`);
  const makers: (() => FuzzCase)[] = [
    () => ({ kind: 'bad json', method: route.method, path: plainPath(), headers: [json], body: pick(['{', '{"a":', 'nul', '[1,2', '{"a":1}}', "{'a':1}", '\u0000', '{"a":NaN}', '{"a":1e999999}', '"\\ud800"']) }),
    () => ({ kind: 'binary body', method: route.method, path: plainPath(), headers: [json], body: Buffer.from(Array.from({ length: 512 }, () => Math.floor(rand() * 256))) }),
    () => ({ kind: 'invalid utf-8', method: route.method, path: plainPath(), headers: [json], body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x22, 0x7d]) }),
    () => {
      const k = keys.length ? pick(keys) : pick(['title', 'name', 'id', 'value']);
      return { kind: `wrong type ${k}`, method: route.method, path: plainPath(), headers: [json], body: JSON.stringify({ [k]: pick(wrongValues(rand)) }) };
    },
    () => {
      const body: Record<string, unknown> = {};
      for (const k of keys) body[k] = pick(wrongValues(rand));
      return { kind: 'every field wrong', method: route.method, path: plainPath(), headers: [json], body: JSON.stringify(body) };
    },
    () => ({ kind: 'wrong top-level type', method: route.method, path: plainPath(), headers: [json], body: JSON.stringify(pick([[], 'text', 42, null, true, [{}], [[[]]]])) }),
    () => ({ kind: 'deep nesting', method: route.method, path: plainPath(), headers: [json], body: pick([nested(100_000, '[', ']'), `{"a":${nested(50_000, '{"a":', '}')}}`, nested(5_000, '[', ']'), `{"${keys[0] ?? 'title'}":${nested(20_000, '[', ']')}}`]) }),
    () => ({ kind: 'huge body', method: route.method, path: plainPath(), headers: [json], body: JSON.stringify({ [keys[0] ?? 'title']: 'x'.repeat(1_100_000) }) }),
    () => ({ kind: 'unicode', method: route.method, path: plainPath(), headers: [json], body: JSON.stringify(Object.fromEntries((keys.length ? keys : ['title']).map((k) => [k, pick(UNICODE)]))) }),
    () => ({ kind: 'many keys', method: route.method, path: plainPath(), headers: [json], body: JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]))) }),
    () => ({ kind: 'path traversal', method: route.method, path: path(), headers: [json], body: '{}' }),
    () => ({ kind: 'hostile query', method: route.method, path: `${plainPath()}?${pick(QUERIES)}`, headers: [json], body: route.method === 'GET' ? undefined : '{}' }),
    () => ({ kind: 'no content-type', method: route.method, path: plainPath(), headers: [], body: '{"title":"x"}' }),
    () => ({ kind: 'wrong content-type', method: route.method, path: plainPath(), headers: [['content-type', pick(['text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16'])]], body: 'title=x&a=%00' }),
    () => ({ kind: 'repeated headers', method: route.method, path: plainPath(), headers: [json, ['content-type', 'text/plain'], ['x-request-id', 'a'], ['x-request-id', 'b'], ['last-event-id', '1'], ['last-event-id', 'x']], body: '{}' }),
    () => ({ kind: 'hostile request id', method: route.method, path: plainPath(), headers: [json, ['x-request-id', pick(['../../x', 'a'.repeat(5000), '<script>', '%00'])]], body: '{}' }),
    () => ({ kind: 'empty body', method: route.method, path: plainPath(), headers: [json], body: '' }),
    () => ({ kind: 'wrong method', method: pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']), path: plainPath(), headers: [json], body: route.method === 'GET' ? '{}' : undefined }),
  ];
  return Array.from({ length: count }, (_, i) => makers[(i + Math.floor(seed)) % makers.length]!());
}

/** Requests below the HTTP layer's parser: invalid header bytes, smuggling shapes, junk request lines. */
export function rawCases(bearer: string): string[] {
  const auth = `Authorization: Bearer ${bearer}\r\n`;
  return [
    'GET /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n',
    `POST /v1/tasks HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 50\r\n\r\n{"a":1}`,
    `POST /v1/tasks HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`,
    `POST /v1/tasks HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `GET /v1/tasks HTTP/1.1\r\nHost: x\r\n${auth}X-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
    `GET /v1/t\u00e4sks/\u{1F525} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    `GET /v1/tasks/../../../etc/passwd HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    `GET //v1//tasks// HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    `BREW /v1/tasks HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    `GET /v1/tasks HTTP/9.9\r\nHost: x\r\n${auth}\r\n`,
    'GET /healthz HTTP/1.0\r\n\r\n',
    `GET /v1/tasks HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n${auth}\r\n`,
    `GET /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0000\u0001\r\n\r\n`,
    `GET /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n`,
    `GET /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'A'.repeat(8000)}.${'B'.repeat(8000)}.C\r\n\r\n`,
    `GET /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.\r\n\r\n`,
    '\r\n\r\n\r\n',
    '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003',
    `GET /metrics?${'a=1&'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
  ];
}
