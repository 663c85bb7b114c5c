import type { AssistantData } from './data.js';

/** A small organisation's data for the assistant's unit tests and benchmark (no store needed). */
export const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);
export const IDS = {
  task: 'tsk_0mhz1qq7a9b2c3d4e',
  task2: 'tsk_0mhz1qq7akd83jd9a',
  issue: 'iss_0mhz1qq7a1b2c3d4f',
  action: 'act_0mhz1qq7a5b6c7d8e',
  violation: 'vio_0mhz1qq7a1b2c3d4e',
  decision: 'rtd_0mhz1qq7a1b2c3d4e',
};

export function demoData(overrides: Partial<AssistantData> = {}): AssistantData {
  return {
    listTasks: async () => [
      { id: IDS.task, title: 'DB latency on orders', priority: 'P1', status: 'open', team: 'dba', assignee: 'mem_priya', createdAt: NOW - 3_600_000 },
      { id: IDS.task2, title: 'Rotate TLS certs', priority: 'P3', status: 'acknowledged', team: 'sre', assignee: null, createdAt: NOW - 7_200_000 },
    ],
    getTask: async (id) => (id === IDS.task ? { id, title: 'DB latency on orders', priority: 'P1', status: 'open', team: 'dba', assignee: 'mem_priya', createdAt: NOW } : null),
    explainRouting: async (taskId) =>
      taskId === IDS.task
        ? {
            taskId,
            title: 'DB latency on orders',
            team: 'dba',
            assignee: 'Priya Shah',
            confidence: 0.92,
            factors: ['rule database-to-dba matched the title "DB latency"', 'Priya Shah has skill postgres 5 and capacity 2 of 5'],
            decidedAt: NOW - 3_500_000,
            decisionId: IDS.decision,
          }
        : null,
    listIssues: async () => [
      { id: IDS.issue, title: 'api_latency_p99 anomaly on api', severity: 'high', status: 'open', source: 'anomaly', detectedAt: NOW - 600_000 },
    ],
    listActions: async ({ status }) =>
      status === 'awaiting_approval' || status === undefined
        ? [{ id: IDS.action, playbook: 'restart-api-on-latency', status: 'awaiting_approval', issueId: IDS.issue, requestedAt: NOW - 300_000 }]
        : [],
    compliance: async () => ({
      score: 87.5,
      open: [
        { id: IDS.violation, rule: 'p1-ack-15m', severity: 'critical', status: 'open', entityId: IDS.task, detectedAt: NOW - 1_200_000 },
      ],
    }),
    workload: async () => [
      { memberId: 'mem_priya', name: 'Priya Shah', team: 'dba', utilization: 1.4, activeTasks: 7, burnoutRisk: 0.81, email: 'priya.shah@example.com' },
      { memberId: 'mem_tom', name: 'Tom Berg', team: 'sre', utilization: 0.6, activeTasks: 3, burnoutRisk: 0.2 },
    ],
    memberWorkload: async (m) => (m.toLowerCase().includes('priya') ? { memberId: 'mem_priya', name: 'Priya Shah', team: 'dba', utilization: 1.4, activeTasks: 7, burnoutRisk: 0.81 } : null),
    teamStatus: async (team) =>
      team === 'dba'
        ? {
            team: 'dba',
            openTasks: 9,
            members: [{ memberId: 'mem_priya', name: 'Priya Shah', team: 'dba', utilization: 1.4, activeTasks: 7, burnoutRisk: 0.81 }],
            openViolations: 1,
            openIssues: 0,
          }
        : null,
    approveAction: async (id) => ({ id, status: 'approved' }),
    ...overrides,
  };
}
