import { EventCatalogue } from '@countersign/contracts';
import { demoFinanceTeam, demoLevels, demoTeam } from '@countersign/demo-data';
import { newEvent } from '@countersign/platform';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, policies, TestCluster } from '../support/test-cluster.js';

// The whole cluster on a bus as deployed: the generated users and permissions, each service
// with its own password, no anonymous access. If any service lacked a permission it needs
// (a subject, a stream, a durable, an ack, the feed), the flows below would stall.
let cluster: TestCluster;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  cluster = await TestCluster.start({}, { secureNats: true });
  for (const name of ['alice', 'frank', 'grace']) tokens[name] = await login(name);
});
afterAll(async () => cluster?.stop());

const deadLetters = async () =>
  Number(
    (
      await cluster.db.query<{ n: string }>(
        `select (select count(*) from identity.dead_letter) + (select count(*) from expense.dead_letter)
              + (select count(*) from approval.dead_letter) + (select count(*) from notification.dead_letter) n`,
      )
    ).rows[0]?.n ?? 0,
  );

describe('the cluster on an authenticated bus', () => {
  it('refuses an anonymous client', async () => {
    await expect(connect({ servers: cluster.natsUrl, maxReconnectAttempts: 0 })).rejects.toThrow(
      /authorization/i,
    );
  });

  it('runs an expense from submission to approval, with its notifications and feed', async () => {
    const created = await api('POST', '/api/expenses', tokens.grace, {
      policy_id: policies.small,
      amount: 800,
      description: 'Laptop over a secure bus',
    });
    expect(created.status).toBe(201);
    const id = String(created.body.expense_id);
    // Approval stored the chain from ExpenseSubmitted (expense → approval).
    const approved = await eventually(async () => {
      const response = await api('POST', '/api/expenses/approve', tokens.frank, {
        expense_id: id,
        comments: 'fine',
      });
      return response.status === 404 ? undefined : response;
    });
    expect(approved.status).toBe(200);
    // Expense followed approval's events (approval → expense).
    await eventually(async () => {
      const status = await api('GET', `/api/expenses/${id}/status`, tokens.grace);
      return status.body.status === 'approved' ? true : undefined;
    });
    // Notification read approval's events and wrote the notification (and its feed item).
    await eventually(async () => {
      const items = (await api('GET', '/api/notifications', tokens.grace)).body.items ?? [];
      return items.some((n) => n.expense_id === id) ? true : undefined;
    });
    const feed = await eventually(async () => {
      const { rows } = await cluster.db.query<{ n: string }>(
        `select count(*) n from notification.outbox where subject like 'countersign.feed.%' and sent_at is not null`,
      );
      return Number(rows[0]?.n ?? 0) > 0 ? true : undefined;
    });
    expect(feed).toBe(true);
  });

  it('invites a person: directory event from approval to the gateway, mailed', async () => {
    const before = cluster.mail.length;
    const invited = await api('POST', '/api/users', tokens.alice, {
      email: 'sam@techcorp.example',
      name: 'Sam Secure',
      role: 'employee',
      team_id: demoFinanceTeam.id,
      level_id: demoLevels.find((level) => level.name === 'SDE3')?.id,
      manager_id: '0197a000-0000-7000-8000-000000000101',
    });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const mail = await cluster.waitForMail('sam@techcorp.example', /invited/, before);
    expect(mail.text).toMatch(/\b\d{6}\b/);
    expect(await deadLetters()).toBe(0);
  });

  it('a forged user event naming another company is dead-lettered by every consumer, never applied', async () => {
    const grace = '0197a000-0000-7000-8000-000000000107';
    const forged = newEvent('UserChanged', {
      companyId: '0197a000-0000-7000-8000-00000000dead',
      actor: { kind: 'system', id: 'approval' },
      subject: grace,
      data: {
        user: {
          user_id: grace,
          email: 'mallory@attacker.example',
          name: 'Grace Taylor',
          role: 'admin',
          team_id: demoTeam.id,
          level_id: demoLevels[6]?.id ?? '',
          manager_id: null,
          active: true,
          revision: 999,
        },
        changed: ['role', 'email'],
      },
    });
    // Only a holder of approval's (or the admin's) credentials can publish it at all.
    const nc = await connect({ servers: cluster.natsUrl, ...cluster.natsCredentials });
    await jetstream(nc).publish(EventCatalogue.UserChanged.subject, JSON.stringify(forged), {
      msgID: forged.id,
    });
    await nc.close();
    for (const schema of ['identity', 'expense', 'notification']) {
      await eventually(async () => {
        const { rowCount } = await cluster.db.query(
          `select 1 from ${schema}.dead_letter where event_id = $1`,
          [forged.id],
        );
        return rowCount ? true : undefined;
      });
    }
    const stored = await cluster.db.query<{ company_id: string; email: string; role: string }>(
      `select company_id, email, role from identity.credential where user_id = $1
       union all select company_id, email, role from expense.person where id = $1
       union all select company_id, email, role from notification.person where user_id = $1`,
      [grace],
    );
    expect(stored.rows).toHaveLength(3);
    for (const row of stored.rows) {
      expect(row).toEqual({
        company_id: '0197a000-0000-7000-8000-000000000001',
        email: 'grace@techcorp.example',
        role: 'employee',
      });
    }
  });
});
