import type { Command } from 'commander';
import type { CliContext } from '../cli/context.js';

/** `foundry-op healing`: filled in by its engine. */
export function register(_program: Command, _ctx: CliContext): void {}
