/** Counts of what a hostile run sent and got back, per route class, printed as a short table. */
import type { Operation } from './openapi-operations.js';

export function routeClassOf(operation: Operation): string {
  if (operation.path.startsWith('/api/auth/')) return 'account';
  if (operation.body?.mediaType.startsWith('multipart/')) return 'upload';
  return operation.method === 'get' ? 'read' : 'change';
}

export class HostileFigures {
  private readonly byClass = new Map<
    string,
    { routes: Set<string>; statuses: Map<string, number> }
  >();

  record(operation: Operation, outcome: number | 'dropped'): void {
    const name = routeClassOf(operation);
    const entry = this.byClass.get(name) ?? { routes: new Set<string>(), statuses: new Map() };
    entry.routes.add(`${operation.method} ${operation.path}`);
    entry.statuses.set(String(outcome), (entry.statuses.get(String(outcome)) ?? 0) + 1);
    this.byClass.set(name, entry);
  }

  get sent(): number {
    return [...this.byClass.values()].reduce(
      (sum, entry) => sum + [...entry.statuses.values()].reduce((a, b) => a + b, 0),
      0,
    );
  }

  table(title: string): string {
    const rows = [...this.byClass.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, entry]) => {
        const sent = [...entry.statuses.values()].reduce((a, b) => a + b, 0);
        const statuses = [...entry.statuses.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([status, count]) => `${status}×${count}`)
          .join(' ');
        return `${name.padEnd(8)} ${String(entry.routes.size).padStart(6)} ${String(sent).padStart(8)}  ${statuses}`;
      });
    return [
      title,
      `${'class'.padEnd(8)} ${'routes'.padStart(6)} ${'requests'.padStart(8)}  statuses`,
      ...rows,
    ].join('\n');
  }
}
