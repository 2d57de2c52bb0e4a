import type { Condition, PolicyRule } from '@countersign/contracts';
import { toCents } from '@countersign/routing';

export interface Problem {
  path: string;
  message: string;
}

export interface PolicyReferences {
  levels: { path: string; level: number }[];
  users: { path: string; id: string }[];
  teams: { path: string; id: string }[];
}

function walkCondition(
  condition: Condition,
  path: string,
  visit: (test: Condition, path: string) => void,
): void {
  visit(condition, path);
  const children: [Condition, string][] =
    'all' in condition
      ? condition.all.map((c, i) => [c, `${path}.all.${i}`])
      : 'any' in condition
        ? condition.any.map((c, i) => [c, `${path}.any.${i}`])
        : 'not' in condition
          ? [[condition.not, `${path}.not`]]
          : [];
  for (const [child, childPath] of children) walkCondition(child, childPath, visit);
}

/** Rules the schema cannot refuse on its own: an amount range whose min is above its max. */
export function findRuleProblems(rules: readonly PolicyRule[]): Problem[] {
  const problems: Problem[] = [];
  rules.forEach((rule, index) => {
    walkCondition(rule.condition, `rules.${index}.condition`, (c, path) => {
      if (
        'field' in c &&
        c.field === 'amount' &&
        c.op === 'between' &&
        toCents(c.min) > toCents(c.max)
      ) {
        problems.push({ path, message: `between needs min ≤ max, got ${c.min} > ${c.max}` });
      }
    });
  });
  return problems;
}

/** Every level, user and team the rules name, with where, for checking against the company. */
export function collectReferences(rules: readonly PolicyRule[]): PolicyReferences {
  const refs: PolicyReferences = { levels: [], users: [], teams: [] };
  rules.forEach((rule, index) => {
    walkCondition(rule.condition, `rules.${index}.condition`, (c, path) => {
      if ('field' in c && c.field === 'submitter_team') {
        for (const id of c.values) refs.teams.push({ path: `${path}.values`, id });
      }
    });
    if (rule.action.type !== 'require_approval') return;
    rule.action.steps.forEach((step, s) => {
      const path = `rules.${index}.action.steps.${s}.approver`;
      if (step.approver.by === 'level')
        refs.levels.push({ path: `${path}.level`, level: step.approver.level });
      if (step.approver.by === 'user')
        refs.users.push({ path: `${path}.user_id`, id: step.approver.user_id });
      if (step.escalate_to)
        refs.users.push({
          path: `rules.${index}.action.steps.${s}.escalate_to`,
          id: step.escalate_to,
        });
    });
  });
  return refs;
}
