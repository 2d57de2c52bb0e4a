import { natsServers } from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import { nodeConfig } from '../../scripts/nats-cluster.js';

describe('nats cluster node config', () => {
  const options = { size: 3, clientPort: 14331, storeRoot: '/tmp/x' };

  it('gives each node its own ports and store, and routes to the other nodes only', () => {
    const second = nodeConfig('cs', 1, options);
    expect(second.name).toBe('cs-2');
    expect(second.text).toContain('server_name: "cs-2"');
    expect(second.text).toContain('listen: "127.0.0.1:14332"');
    expect(second.text).toContain('http: "127.0.0.1:18332"');
    expect(second.text).toContain('listen: "127.0.0.1:16332"');
    expect(second.text).toContain('jetstream { store_dir: "/tmp/x/cs-2/store" }');
    expect(second.text).toContain(
      'routes: ["nats-route://127.0.0.1:16331", "nats-route://127.0.0.1:16333"]',
    );
  });

  it('makes a lone node a plain JetStream server, without a cluster block it could not start with', () => {
    const lone = nodeConfig('cs', 0, { ...options, size: 1 });
    expect(lone.text).toContain('jetstream { store_dir: "/tmp/x/cs-1/store" }');
    expect(lone.text).not.toContain('cluster {');
  });
});

describe('NATS_URL', () => {
  it('lists a cluster comma-separated; one server stays one', () => {
    expect(natsServers('nats://a:1, nats://b:2,nats://c:3')).toEqual([
      'nats://a:1',
      'nats://b:2',
      'nats://c:3',
    ]);
    expect(natsServers('nats://127.0.0.1:4222')).toEqual(['nats://127.0.0.1:4222']);
  });
});

describe('nats cluster node placement', () => {
  it('lets a node listen on an address of its own and routes the others to it there', () => {
    const options = {
      size: 3,
      clientPort: 14331,
      storeRoot: '/tmp/x',
      placement: [
        { host: '10.231.5.1' },
        { host: '10.231.5.1' },
        { host: '10.231.5.2', netns: 'cs-nats' },
      ],
    };
    const inside = nodeConfig('cs', 2, options);
    expect(inside.text).toContain('listen: "10.231.5.2:14333"');
    expect(inside.text).toContain('http: "10.231.5.2:18333"');
    expect(inside.text).toContain(
      'routes: ["nats-route://10.231.5.1:16331", "nats-route://10.231.5.1:16332"]',
    );
    expect(nodeConfig('cs', 0, options).text).toContain(
      'routes: ["nats-route://10.231.5.1:16332", "nats-route://10.231.5.2:16333"]',
    );
  });
});
