import { apiRoutes } from '@countersign/contracts';
import {
  createLogger,
  loadAuditKeys,
  newAuditSigningKey,
  routeDrift,
  unconnectedDatabase,
} from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import type { ApprovalDatabase } from '../db/types.js';
import { createApprovalApp } from './routes.js';

/** Building the app runs no query. */
const unconnected = unconnectedDatabase<ApprovalDatabase>();

const unused = () => Promise.reject(new Error('not called while routes are only listed'));

describe('the approval service and the route declarations', () => {
  it('serves every route declared as the approval service’s, and none owned elsewhere', () => {
    const app = createApprovalApp({
      db: unconnected,
      logger: createLogger('test', 'silent'),
      verifyToken: unused,
      auditCheckpoints: {
        store: { latest: unused, publish: unused },
        keys: loadAuditKeys({ AUDIT_SIGNING_KEY: newAuditSigningKey() }),
      },
      readiness: [],
      now: () => new Date(),
    });
    expect(routeDrift(app, apiRoutes, 'approval')).toEqual({ unserved: [], ownedElsewhere: [] });
  });
});
