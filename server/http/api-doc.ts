import { leastRoleFor } from '../../core/auth/permissions.js';
import type { Route } from './route.js';

/** docs/api.md, generated from the routes the daemon actually serves (`npm run docs:api`). */
export function renderApiDoc(routes: Route[]): string {
  const sorted = [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  const lines = [
    '# foundry-op HTTP API',
    '',
    'Generated from the daemon\'s routes by `npm run docs:api`; a test fails when it is out of date.',
    '',
    '- JSON in and out; `Authorization: Bearer <token>` on every route whose role is not "none".',
    '- Times are ISO-8601 strings; ids are prefixed strings (`tsk_…`, `mem_…`, `act_…`).',
    '- Errors: `{"error": {"code", "message", "details"?}}` with 400 (malformed), 401, 403, 404, 405, 409,',
    '  413 (body over the limit), 422 (validation: `details` lists each bad field\'s path), 429 (+ Retry-After).',
    '- `GET /v1/events` is Server-Sent Events: `id:`, `event: <type>`, `data: <json>`; resume with',
    '  `Last-Event-ID` (or `?since=ID`), filter with `?types=a,b`; a comment heartbeat every 15 s.',
    '- The least role a route needs comes from the permission matrix (viewer < operator < manager < admin).',
    '',
    '| method | path | least role | permission |',
    '|---|---|---|---|',
  ];
  for (const r of sorted) {
    const role = r.auth === 'none' ? 'none' : r.perm ? leastRoleFor(r.perm) : 'any';
    const perm = r.perm ? `${r.perm[0]}:${String(r.perm[1])}` : r.auth === 'none' ? 'public or signed' : '-';
    lines.push(`| ${r.method} | \`${r.path}\` | ${role} | ${perm} |`);
  }
  return `${lines.join('\n')}\n`;
}
