/**
 * The operations of the gateway's served `/openapi.json`, each with what a generator needs:
 * its path and query parameters and their schemas, its body's media type and schema (with
 * every `$ref` resolved), and whether it takes a bearer token and an Idempotency-Key.
 */

/** The JSON Schema subset the contracts' OpenAPI document uses. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  $ref?: string;
}

export interface Parameter {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The OpenAPI template, e.g. `/api/users/{id}`. */
  path: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body?: { mediaType: string; schema: JsonSchema; required: boolean };
  /** Takes `Authorization: Bearer`. */
  secured: boolean;
  takesIdempotencyKey: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export async function fetchOperations(gatewayUrl: string): Promise<Operation[]> {
  const answer = await fetch(`${gatewayUrl}/openapi.json`);
  if (!answer.ok) throw new Error(`/openapi.json: ${answer.status}`);
  return operationsOf((await answer.json()) as OpenApiDocument);
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  const schemas = document.components?.schemas ?? {};
  const resolve = (schema: JsonSchema | undefined) => resolveRefs(schema ?? {}, schemas, 0);
  return Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]): Operation => {
        const parameters = operation.parameters ?? [];
        const of = (place: string): Parameter[] =>
          parameters
            .filter((parameter) => parameter.in === place)
            .map((parameter) => ({
              name: parameter.name,
              schema: resolve(parameter.schema),
              required: parameter.required ?? false,
            }));
        const content = Object.entries(operation.requestBody?.content ?? {})[0];
        return {
          method: method as Operation['method'],
          path,
          pathParams: of('path'),
          queryParams: of('query'),
          ...(content
            ? {
                body: {
                  mediaType: content[0],
                  schema: resolve(content[1].schema),
                  required: operation.requestBody?.required ?? false,
                },
              }
            : {}),
          secured: (operation.security ?? []).length > 0,
          takesIdempotencyKey: parameters.some(
            (parameter) => parameter.in === 'header' && /^idempotency-key$/i.test(parameter.name),
          ),
        };
      }),
  );
}

/** Inlines `#/components/schemas/…` references; a cycle stops at a depth of 8 as `{}`. */
function resolveRefs(
  schema: JsonSchema,
  schemas: Record<string, JsonSchema>,
  depth: number,
): JsonSchema {
  if (depth > 8) return {};
  if (schema.$ref !== undefined) {
    const target = schemas[schema.$ref.replace('#/components/schemas/', '')];
    return resolveRefs(target ?? {}, schemas, depth + 1);
  }
  const inner = (child: JsonSchema) => resolveRefs(child, schemas, depth + 1);
  return {
    ...schema,
    ...(schema.properties
      ? {
          properties: Object.fromEntries(
            Object.entries(schema.properties).map(([name, child]) => [name, inner(child)]),
          ),
        }
      : {}),
    ...(schema.items ? { items: inner(schema.items) } : {}),
    ...(schema.anyOf ? { anyOf: schema.anyOf.map(inner) } : {}),
    ...(schema.oneOf ? { oneOf: schema.oneOf.map(inner) } : {}),
  };
}
