/**
 * The condition language (CONTRACT.md): parse and validate once with parseCondition (errors name the
 * path of the bad part), compile once with compileCondition, then call the predicate per entity.
 *
 *   const c = parseCondition(rule.conditions, 'conditions', { fields: TASK_FIELDS });
 *   const holds = compileCondition(c);
 *   holds({ title: 'DB down', tags: { env: 'prod' } });  // boolean
 *   holds.explain(task);                                  // ConditionTrace for --explain
 */
export * from './types.js';
export { parseCondition, conditionIssues, conditionSchema, fieldPathProblem, type ParseOptions } from './parse.js';
export { compileCondition, resolveField, describeCondition, type CompiledCondition, type ConditionTrace } from './compile.js';
