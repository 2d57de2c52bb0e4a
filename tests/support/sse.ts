import { eventually } from './test-cluster.js';

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** A Server-Sent Events connection read with fetch, collecting every event it receives. */
export interface SseConnection {
  status: number;
  contentType: string;
  events: SseEvent[];
  /** Comment lines (heartbeats) seen so far. */
  comments: number;
  /** Waits until `count` events match `predicate`; returns those events. */
  waitFor(
    predicate: (event: SseEvent) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<SseEvent[]>;
  close(): void;
  /** The body of a refused request (problem+json). */
  body: string;
}

export async function openSse(
  baseUrl: string,
  token: string | undefined,
  headers: Record<string, string> = {},
  query = '',
): Promise<SseConnection> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/stream${query}`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    signal: controller.signal,
  });
  const connection: SseConnection = {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    events: [],
    comments: 0,
    body: '',
    async waitFor(predicate, count = 1, timeoutMs = 20_000) {
      return eventually(async () => {
        const matching = connection.events.filter(predicate);
        return matching.length >= count ? matching : undefined;
      }, timeoutMs);
    },
    close: () => controller.abort(),
  };
  if (response.status !== 200 || !response.body) {
    connection.body = await response.text();
    return connection;
  }
  void readEvents(response.body, connection).catch(() => undefined);
  return connection;
}

/** Parses the event stream (fields `id`, `event`, `data`; blank line ends an event). */
async function readEvents(body: ReadableStream<Uint8Array>, into: SseConnection): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end < 0) break;
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: SseEvent = { id: undefined, event: 'message', data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) into.comments += 1;
        const [field, ...rest] = line.split(':');
        const value = rest.join(':').replace(/^ /, '');
        if (field === 'id') event.id = value;
        if (field === 'event') event.event = value;
        if (field === 'data') {
          event.data = hasData ? `${event.data}\n${value}` : value;
          hasData = true;
        }
      }
      if (hasData) into.events.push(event);
    }
  }
}
