import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import * as anomaly from './anomaly.js';
import * as ask from './ask.js';
import * as audit from './audit.js';
import * as chat from './chat.js';
import * as compliance from './compliance.js';
import * as daemon from './daemon.js';
import * as events from './events.js';
import * as healing from './healing.js';
import * as history from './history.js';
import * as init from './init.js';
import * as metrics from './metrics.js';
import * as org from './org.js';
import * as route from './route.js';
import * as rules from './rules.js';
import * as tasks from './tasks.js';
import * as tui from './tui.js';
import * as up from './up.js';
import * as users from './users.js';
import * as workload from './workload.js';

/** Every command group, in the order `foundry-op --help` lists them. */
const groups: { register(program: Command, ctx: CliContext): void }[] = [
  init, up, daemon, users, org, tasks, route, rules, history, ask, chat, healing, metrics, anomaly, compliance, workload,
  events, audit, tui,
];

export function registerAll(program: Command, ctx: CliContext): void {
  for (const g of groups) g.register(program, ctx);
}
