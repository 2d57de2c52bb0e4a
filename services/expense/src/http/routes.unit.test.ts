import { apiRoutes } from '@countersign/contracts';
import {
  createLogger,
  loadAuditKeys,
  newAuditSigningKey,
  routeDrift,
  unconnectedDatabase,
} from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import type { ExpenseDatabase } from '../db/types.js';
import { createExpenseApp } from './routes.js';

/** Building the app runs no query. */
const unconnected = unconnectedDatabase<ExpenseDatabase>();

const unused = () => Promise.reject(new Error('not called while routes are only listed'));

describe('the expense service and the route declarations', () => {
  it('serves every route declared as the expense service’s, and none owned elsewhere', () => {
    const app = createExpenseApp({
      db: unconnected,
      logger: createLogger('test', 'silent'),
      verifyToken: unused,
      auditCheckpoints: {
        store: { latest: unused, publish: unused },
        keys: loadAuditKeys({ AUDIT_SIGNING_KEY: newAuditSigningKey() }),
      },
      route: unused,
      readiness: [],
      now: () => new Date(),
      storage: { put: unused, read: unused, remove: unused },
      receiptLimits: { maxPerExpense: 10, maxCompanyBytes: 1024 ** 3, maxPixels: 40_000_000 },
    });
    expect(routeDrift(app, apiRoutes, 'expense')).toEqual({ unserved: [], ownedElsewhere: [] });
  });
});
