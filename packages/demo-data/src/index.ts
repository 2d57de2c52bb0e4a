/**
 * TechCorp Solutions, the demo company of seed 001. Ids are fixed so the README's curl
 * walkthrough can name them; each service loads only the part it owns.
 */
const demoId = (n: number): string => `0197a000-0000-7000-8000-${String(n).padStart(12, '0')}`;

export const DEMO_PASSWORD = 'countersign-demo';

export const demoCompany = { id: demoId(1), name: 'TechCorp Solutions' } as const;
export const demoTeam = { id: demoId(2), name: 'Technology' } as const;
/** Finance and audit sit apart from Technology, so they never appear in its approval chains. */
export const demoFinanceTeam = { id: demoId(3), name: 'Finance' } as const;
export const demoTeams = [demoTeam, demoFinanceTeam] as const;

export const demoLevels = [
  { id: demoId(301), number: 1, name: 'CTO' },
  { id: demoId(302), number: 2, name: 'VP' },
  { id: demoId(303), number: 3, name: 'Director' },
  { id: demoId(304), number: 4, name: 'AD' },
  { id: demoId(305), number: 5, name: 'SEM' },
  { id: demoId(306), number: 6, name: 'Manager' },
  { id: demoId(307), number: 7, name: 'SDE3' },
] as const;

export type DemoRole = 'employee' | 'manager' | 'finance' | 'admin' | 'auditor';

export interface DemoUser {
  id: string;
  name: string;
  email: string;
  level: number;
  role: DemoRole;
  teamId: string;
  /** The person this one reports to (the next level up in their team), if any. */
  managerId: string | null;
}

const people: readonly [string, number, DemoRole, string][] = [
  ['Alice Chen', 1, 'admin', demoTeam.id],
  ['Bob Smith', 2, 'manager', demoTeam.id],
  ['Carol Johnson', 3, 'manager', demoTeam.id],
  ['David Wilson', 4, 'manager', demoTeam.id],
  ['Eve Davis', 5, 'manager', demoTeam.id],
  ['Frank Miller', 6, 'manager', demoTeam.id],
  ['Grace Taylor', 7, 'employee', demoTeam.id],
  ['Hannah Lee', 5, 'finance', demoFinanceTeam.id],
  ['Ivan Petrov', 7, 'auditor', demoFinanceTeam.id],
];

export const demoUsers: readonly DemoUser[] = people.map(([name, level, role, teamId], index) => ({
  id: demoId(101 + index),
  name,
  email: `${name.split(' ')[0]?.toLowerCase()}@techcorp.example`,
  level,
  role,
  teamId,
  // Technology reports up its levels (Grace to Frank, … Bob to Alice); Finance reports to Alice.
  managerId: index === 0 ? null : teamId === demoTeam.id ? demoId(100 + index) : demoId(101),
}));

export interface DemoPolicy {
  id: string;
  name: string;
  category: string;
  minAmount: string;
  maxAmount: string | null;
  steps: readonly { requiredLevel: number; required: boolean; description: string }[];
}

const manager = { requiredLevel: 6, required: true, description: 'Manager approval' };
const sem = { requiredLevel: 5, required: true, description: 'SEM approval' };
const ad = { requiredLevel: 4, required: true, description: 'AD approval' };

export const demoPolicies: readonly DemoPolicy[] = [
  {
    id: demoId(201),
    name: 'Small Equipment',
    category: 'equipment',
    minAmount: '0.00',
    maxAmount: '1999.99',
    steps: [manager],
  },
  {
    id: demoId(202),
    name: 'Large Equipment',
    category: 'equipment',
    minAmount: '2000.00',
    maxAmount: null,
    steps: [manager, sem, ad],
  },
  {
    id: demoId(203),
    name: 'Business Travel',
    category: 'travel',
    minAmount: '0.00',
    maxAmount: null,
    steps: [manager, sem],
  },
];

/** TechCorp's categories: exactly those its policies route. */
export const demoCategories: readonly string[] = [...new Set(demoPolicies.map((p) => p.category))];

/** A few vendors to file expenses against. */
export const demoVendors: readonly string[] = ['Dell', 'Lufthansa', 'Marriott'];
