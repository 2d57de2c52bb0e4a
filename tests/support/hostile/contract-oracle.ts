/**
 * What the contracts say of a hostile request, worked out here without the product: each
 * reason it must be refused (no token, a role without the permission, a bad Idempotency-Key,
 * a body too large, wrong media type, malformed JSON, a params/query/body schema violation)
 * and the field paths the schemas name. A request with no reason would be accepted: the
 * generator leaves those out, so every request the run sends must be refused.
 */
import { type DocumentedRoute, type Role, roleHasPermission } from '@countersign/contracts';
import { MAX_BODY_BYTES } from '@countersign/platform';
import { Hono } from 'hono';
import type { z } from 'zod';
import { parseIdempotencyKey } from '../../../services/gateway/src/domain/idempotency.js';
import type { HostileRequest } from './hostile-request.js';

export interface Verdict {
  /** Why the product must refuse the request; empty: the contracts accept it. */
  reasons: string[];
  /** Paths (`a.b`) the schemas report for params, query and body; '' is the whole body. */
  fieldPaths: Set<string>;
}

/** Node refuses a request whose header section is larger than this (431). */
const MAX_HEADER_BYTES = 16 * 1024;
const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\b/i;
/** The same test as the product's readJsonBody (code units, no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const mirrors = new Map<string, Hono>();

/** A Hono app with the operation's one route, answering with what its handler would get. */
function mirrorOf(request: HostileRequest): Hono {
  const key = `${request.method} ${request.operation.path}`;
  let mirror = mirrors.get(key);
  if (!mirror) {
    mirror = new Hono();
    mirror.on(request.method, request.operation.path.replace(/\{(\w+)\}/g, ':$1'), (c) =>
      c.json({ params: c.req.param(), query: c.req.query() }),
    );
    mirrors.set(key, mirror);
  }
  return mirror;
}

/** The params and query Hono gives a handler for this request (the gateway's own parsing). */
async function routeInputOf(
  request: HostileRequest,
): Promise<{ params: Record<string, string>; query: Record<string, string> } | undefined> {
  const answer = await mirrorOf(request).request(`http://mirror${request.target}`, {
    method: request.method,
  });
  return answer.status === 200
    ? ((await answer.json()) as Awaited<ReturnType<typeof routeInputOf>>)
    : undefined;
}

function schemaIssues(schema: z.ZodType | undefined, value: unknown): string[] | undefined {
  if (!schema) return undefined;
  let parsed: ReturnType<z.ZodType['safeParse']>;
  try {
    parsed = schema.safeParse(value);
  } catch {
    // A schema that throws has no verdict; the product would fail the same way (a 5xx).
    return ['(the schema threw)'];
  }
  return parsed.success ? undefined : parsed.error.issues.flatMap((issue) => issuePaths(issue, []));
}

interface IssueLike {
  path: PropertyKey[];
  code?: string;
  errors?: IssueLike[][];
}

/**
 * The paths an issue names; a union's issue names its own path and each branch's (the
 * product may check the one branch it picks, e.g. sign-up versus accepting an invitation).
 */
function issuePaths(issue: IssueLike, prefix: PropertyKey[]): string[] {
  const path = [...prefix, ...issue.path];
  const branches = issue.code === 'invalid_union' ? (issue.errors ?? []).flat() : [];
  return [path.map(String).join('.'), ...branches.flatMap((branch) => issuePaths(branch, path))];
}

function headerBytes(request: HostileRequest): number {
  return Object.entries(request.headers).reduce(
    (sum, [name, value]) => sum + name.length + value.length + 4,
    200,
  );
}

export async function judge(request: HostileRequest, route: DocumentedRoute): Promise<Verdict> {
  const reasons: string[] = [];
  const fieldPaths = new Set<string>();
  const note = (reason: string, paths: string[] | undefined) => {
    if (paths === undefined) return;
    reasons.push(reason);
    for (const path of paths) fieldPaths.add(path);
  };
  if (headerBytes(request) > MAX_HEADER_BYTES) reasons.push('headers-too-large');
  const bodyBytes = Buffer.byteLength(request.body ?? '');
  if (bodyBytes > MAX_BODY_BYTES) reasons.push('too-large');
  if (route.permission) {
    const role = request.caller?.role as Role | undefined;
    if (role === undefined) reasons.push('unauthenticated');
    else if (!roleHasPermission(role, route.permission)) reasons.push('forbidden');
  }
  const key = request.headers['idempotency-key'];
  if (
    key !== undefined &&
    request.operation.takesIdempotencyKey &&
    !parseIdempotencyKey(key).valid
  ) {
    reasons.push('bad-idempotency-key');
  }
  const input = await routeInputOf(request);
  if (!input) {
    reasons.push('unmatched');
    return { reasons, fieldPaths };
  }
  note('params', schemaIssues(route.params, input.params));
  note('query', schemaIssues(route.query, input.query));
  judgeBody(request, route, note);
  return { reasons, fieldPaths };
}

function judgeBody(
  request: HostileRequest,
  route: DocumentedRoute,
  note: (reason: string, paths: string[] | undefined) => void,
): void {
  if (route.multipart) {
    // The upload handler reads its multipart body itself: no contract verdict on it here.
    return;
  }
  if (!route.body) return;
  const sent = request.body !== undefined && request.body !== '';
  if (route.bodyOptional && !sent) return;
  if (!JSON_MEDIA_TYPE.test(request.headers['content-type'] ?? '')) {
    note('unsupported-media-type', []);
    return;
  }
  let parsed: unknown;
  let lone: string | undefined;
  try {
    // As the product reads it: UTF-8 text (a leading BOM dropped), then JSON.parse.
    parsed = JSON.parse((request.body ?? '').replace(/^\ufeff/, ''), (keyName, value: unknown) => {
      if (typeof value === 'string' && LONE_SURROGATE.test(value)) lone ??= keyName;
      return value;
    });
  } catch {
    note('malformed-json', ['']);
    return;
  }
  if (lone !== undefined) {
    note('lone-surrogate', [lone]);
    return;
  }
  note('body', schemaIssues(route.body, parsed));
}
