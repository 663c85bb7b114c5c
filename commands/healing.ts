import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';
import { registerHealingActions } from './healing-actions.js';
import { registerHealingIssues } from './healing-issues.js';

/**
 * `foundry-op healing`: `playbooks` and `actions` (./healing-actions.ts); the detection half adds
 * `issues` to the same group.
 */
export function register(program: Command, ctx: CliContext): void {
  const healing = program.command('healing').description('self-healing: issues, playbooks and the actions that run them');
  registerHealingIssues(healing, ctx);
  registerHealingActions(healing, ctx);
}
