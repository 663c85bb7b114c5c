import { describe, expect, it } from 'vitest';
import { buildRunbookIndex, chunkMarkdown, tokenize } from './runbooks.js';

const DB = `# Database latency

## Symptoms
Queries on orders are slow; p99 above 500 ms.

## Remediation
1. Check long-running queries with pg_stat_activity.
2. Restart the connection pooler (pgbouncer) if connections are exhausted.
`;
const API = `# API gateway

## Restarting the API
Run \`systemctl restart api\` on each node, one at a time.

\`\`\`sh
# not a heading inside a code fence
curl -f http://localhost/healthz
\`\`\`
`;

describe('runbook retrieval', () => {
  it('cuts markdown into passages under their headings, ignoring # in code fences', () => {
    const chunks = chunkMarkdown('api.md', API);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.heading).toBe('API gateway › Restarting the API');
    expect(chunks[0]!.text).toContain('# not a heading');
  });

  it('finds the passage that answers a question, best first', () => {
    const index = buildRunbookIndex([
      { file: 'db.md', text: DB },
      { file: 'api.md', text: API },
    ]);
    const hits = index.search('how do I restart the api?');
    expect(hits[0]).toMatchObject({ file: 'api.md', heading: 'API gateway › Restarting the API' });
    expect(index.search('pgbouncer connections exhausted')[0]!.heading).toBe('Database latency › Remediation');
    expect(index.search('kafka rebalancing')).toEqual([]);
  });

  it('folds simple word forms together', () => {
    expect(tokenize('Restarting disks')).toEqual(tokenize('restart disk'));
  });
});
