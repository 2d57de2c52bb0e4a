/**
 * The people of each run's company, as the model knows them. Everyone sits in the
 * company's one team ("General"), so a team-scoped level step may fall through from
 * Manager to Director to Executive within it.
 */
export const personKeys = ['ada', 'dora', 'max', 'mia', 'emma'] as const;
export type PersonKey = (typeof personKeys)[number];

export interface PersonSpec {
  name: string;
  role: 'admin' | 'manager' | 'employee';
  /** The level number: 1 (Executive) is the most senior, 4 (Staff) the most junior. */
  level: number;
  /** Who they report to (the reporting line plays no part in level routing). */
  manager: PersonKey | null;
}

export const people: Record<PersonKey, PersonSpec> = {
  ada: { name: 'Ada Admin', role: 'admin', level: 1, manager: null },
  dora: { name: 'Dora Director', role: 'manager', level: 2, manager: 'ada' },
  // Max sorts before Mia: of two managers, routing picks Max.
  max: { name: 'Max Manager', role: 'manager', level: 3, manager: 'dora' },
  mia: { name: 'Mia Manager', role: 'manager', level: 3, manager: 'dora' },
  emma: { name: 'Emma Employee', role: 'employee', level: 4, manager: 'max' },
};

/** Who submits expenses in the runs: an employee, and a manager who is also an approver. */
export const submitters = ['emma', 'max'] as const satisfies readonly PersonKey[];
/** Whom the admin may deactivate: the approvers below her. */
export const deactivatable = ['dora', 'max', 'mia'] as const satisfies readonly PersonKey[];

/** Routing's ranking among eligible people: nearest level to the one required, then name. */
export function byNearestLevel(a: PersonKey, b: PersonKey): number {
  return people[b].level - people[a].level || people[a].name.localeCompare(people[b].name);
}
