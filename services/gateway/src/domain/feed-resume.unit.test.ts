import { describe, expect, it } from 'vitest';
import { planResume, streamDeadline } from './feed-resume.js';

describe('planResume', () => {
  const state = { firstSeq: 10, lastSeq: 20 };

  it('sends new items only when the client saw nothing before', () => {
    expect(planResume(undefined, state)).toEqual({ kind: 'new' });
  });

  it('resumes right after the last item seen', () => {
    expect(planResume(15, state)).toEqual({ kind: 'from', startSeq: 16 });
    expect(planResume(20, state)).toEqual({ kind: 'from', startSeq: 21 });
  });

  it('resumes from the oldest kept item when nothing after the id is gone', () => {
    expect(planResume(9, state)).toEqual({ kind: 'from', startSeq: 10 });
  });

  it('asks for a resync when items after the id aged out', () => {
    expect(planResume(8, state)).toEqual({ kind: 'resync', reason: 'expired' });
  });

  it('asks for a resync for an id the stream never assigned', () => {
    expect(planResume(21, state)).toEqual({ kind: 'resync', reason: 'unknown_id' });
  });

  it('resumes an empty new stream from its start', () => {
    expect(planResume(0, { firstSeq: 0, lastSeq: 0 })).toEqual({ kind: 'from', startSeq: 1 });
    expect(planResume(0, { firstSeq: 1, lastSeq: 0 })).toEqual({ kind: 'from', startSeq: 1 });
  });
});

describe('streamDeadline', () => {
  it('ends a stream opened with an access token when the token expires', () => {
    expect(streamDeadline({ iat: 1000, exp: 1900 }, 'access_token', 900)).toBe(1_900_000);
  });

  it('ends a stream opened with a ticket one access-token lifetime after it was issued', () => {
    expect(streamDeadline({ iat: 1000, exp: 1060 }, 'ticket', 900)).toBe(1_900_000);
  });

  it('ends at once when the times are missing', () => {
    expect(streamDeadline({}, 'access_token', 900)).toBe(0);
  });
});
