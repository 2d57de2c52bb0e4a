import {
  CreateDelegationRequest,
  Delegation,
  DelegationIdParam,
  DelegationList,
  RevokeDelegationRequest,
} from '../rest/delegations.js';
import { defineRoutes } from './api-route.js';

/** Delegations: an approver lets a colleague decide in their name for a range of days. */
export const delegationRoutes = defineRoutes({
  create: {
    method: 'post',
    path: '/api/delegations',
    service: 'approval',
    summary:
      'Let a colleague decide your steps in your name for a range of UTC days, optionally up to an amount or for some categories',
    tag: 'Delegations',
    permission: 'approvals.decide',
    body: CreateDelegationRequest,
    success: {
      status: 201,
      schema: Delegation,
      description: 'The delegation, in force on its days',
    },
    refusals: [400, 401, 403, 404, 409, 422],
  },
  list: {
    method: 'get',
    path: '/api/delegations',
    service: 'approval',
    summary: "Delegations you gave and received (admins: also the company's)",
    tag: 'Delegations',
    permission: 'approvals.decide',
    success: { status: 200, schema: DelegationList, description: 'The delegations' },
    refusals: [401, 403],
  },
  revoke: {
    method: 'post',
    path: '/api/delegations/{id}/revoke',
    service: 'approval',
    summary: 'End a delegation now (its delegator or an admin)',
    tag: 'Delegations',
    permission: 'approvals.decide',
    params: DelegationIdParam,
    body: RevokeDelegationRequest,
    success: { status: 200, schema: Delegation, description: 'The delegation, revoked' },
    refusals: [400, 401, 403, 404, 409],
  },
});
