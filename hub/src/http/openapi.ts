import { z } from 'zod';
import * as protocol from '@flotilla/protocol';
import { API, ERROR_STATUS, type ApiRouteKey, type ErrorCode, type RouteContract } from '@flotilla/protocol';
import { ROUTES, requiredRole, type RouteKey } from './route-access.js';
import { who } from './route-matrix.js';

// The wire contract and the role matrix name the same routes, both ways (checked by the compiler).
const CONTRACTS: Record<RouteKey, RouteContract> = API;
const RULES: Record<ApiRouteKey, unknown> = ROUTES;
void RULES;

type Json = Record<string, unknown>;
const REF = (id: string) => `#/components/schemas/${id}`;

/** Path parameters in the order they appear: `/a/:id/b/:vid` → ['id', 'vid']. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
}

/** `/a/:id` → `/a/{id}` (OpenAPI's path templates). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** The errors a route can answer: those its kind implies, plus those its contract lists. */
export function errorsOf(key: RouteKey): ErrorCode[] {
  const [method, path] = key.split(' ') as [string, string];
  const c = CONTRACTS[key];
  const kind = ROUTES[key].access.kind;
  const codes = new Set<ErrorCode>(c.errors ?? []);
  if (c.body || c.query || (c.agentAuth && method !== 'GET')) codes.add('VALIDATION_FAILED');
  if (c.body) codes.add('PAYLOAD_TOO_LARGE').add('UNSUPPORTED_MEDIA_TYPE');
  // A bad bearer token is refused on any route; a session's write from another origin is refused (CSRF).
  codes.add('UNAUTHORIZED');
  if (kind === 'vendor' || kind === 'tenant' || method !== 'GET') codes.add('FORBIDDEN');
  if (pathParams(path).length > 0 || kind === 'vendor' || kind === 'tenant') codes.add('NOT_FOUND');
  if (kind !== 'public' || c.agentAuth) codes.add('RATE_LIMITED');
  codes.add('INTERNAL');
  return [...codes].sort((a, b) => ERROR_STATUS[a] - ERROR_STATUS[b]);
}

const isSchema = (v: unknown): v is z.ZodType => typeof v === 'object' && v !== null && '_zod' in v;

/** Every schema the protocol exports, by its export name (the components' names). */
function exportedSchemas(): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  for (const [name, value] of Object.entries(protocol)) if (isSchema(value) && !names.has(value)) names.set(value, name);
  return names;
}

/** Converts schemas registered with ids into components, refs between them kept (zod's own JSON Schema). */
function components(entries: Map<z.ZodType, string>, io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: REF, io, unrepresentable: 'any' });
  const out: Record<string, Json> = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as Json;
    out[id] = rest;
  }
  return out;
}

/** A query schema as OpenAPI parameters, one per property. */
function queryParameters(schema: z.ZodType): Json[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: 'query', required: json.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) };
  });
}

function accessText(key: RouteKey): string {
  const rule = ROUTES[key];
  const audit = 'audit' in rule ? ` Audited as \`${rule.audit}\`.` : '';
  return `**Who may call it:** ${who(key)}.${audit}`;
}

/** The route's kind and the roles (= API token scopes) that may call it. */
function accessExtension(key: RouteKey): Json {
  return { kind: ROUTES[key].access.kind, ...requiredRole(key) };
}

/** One error answer: the catalogue's body, with an example of each code it may carry. */
function errorResponse(codes: readonly ErrorCode[]): Json {
  return {
    description: codes.join(' or '),
    content: {
      'application/json': {
        schema: { $ref: REF('ErrorBody') },
        examples: Object.fromEntries(codes.map((code) => [code, { value: { error: { code, message: ERROR_EXAMPLES[code] } } }])),
      },
    },
  };
}

/** A route's error answers by status: a shared component when one code has the status, else inline. */
function errorResponses(key: RouteKey): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorsOf(key)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const out: Record<string, Json> = {};
  for (const [status, codes] of byStatus) out[String(status)] = codes.length === 1 ? { $ref: `#/components/responses/${codes[0]}` } : errorResponse(codes);
  return out;
}

const ERROR_EXAMPLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Invalid request body: name: Too small: expected string to have >=1 characters',
  INVALID_PAYLOAD: 'Invalid payload',
  UNAUTHORIZED: 'Sign in or present an API token',
  FORBIDDEN: 'Your role may not do this (POST /rollouts needs vendor release-manager)',
  NOT_FOUND: 'Not found',
  METHOD_NOT_ALLOWED: 'PUT is not allowed on /api/v1/applications (allowed: GET, POST)',
  CONFLICT: 'Cannot lock a rescinded release',
  REQUIRED_RELEASE_FIRST: 'Release 2.0.0 is required before 3.0.0: deploy it first, or roll out 3.0.0 (a rollout steps through required releases)',
  BELOW_REQUIRED_RELEASE: 'Installation "site-a" runs 2.0.0, a required release: it cannot go back to 1.0.0',
  PAYLOAD_TOO_LARGE: 'Request body is larger than 2 MB',
  UNSUPPORTED_MEDIA_TYPE: 'Send JSON (Content-Type: application/json)',
  RATE_LIMITED: 'API rate limit exceeded; retry in 12 s',
  HEADERS_TOO_LARGE: 'The request line and headers are larger than 16 KB',
  INTERNAL: 'Internal error',
  NOT_IMPLEMENTED: 'The hub does not implement the HTTP method PROPFIND',
  UNAVAILABLE: 'The hub is shutting down',
};

/** Drops components no operation reaches (the protocol exports agent and live schemas too). */
function reachable(from: Json, all: Record<string, Json>): Record<string, Json> {
  const keep = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF(''))) {
        const id = v.slice(REF('').length);
        if (!keep.has(id)) {
          keep.add(id);
          visit(all[id]);
        }
      } else visit(v);
    }
  };
  visit(from);
  return Object.fromEntries(Object.entries(all).filter(([id]) => keep.has(id)));
}

export interface OpenApiOptions {
  version: string;
  /** The hub's public URL; the document's server is `<url>/api/v1`. */
  publicUrl?: string;
}

/**
 * The OpenAPI 3.1 document of every REST route, generated from the protocol's zod schemas (the
 * wire contract) and the role matrix (who may call each route): never written by hand.
 */
export function openApiDocument(opts: OpenApiOptions): Json {
  const exported = exportedSchemas();
  const keys = Object.keys(ROUTES) as RouteKey[];
  // Responses use the exported names; a schema that is not exported is named after its operation.
  const bodies = new Set(keys.flatMap((k) => CONTRACTS[k].body ?? []));
  const outputs = new Map<z.ZodType, string>([...exported].filter(([schema]) => !bodies.has(schema)));
  const inputs = new Map<z.ZodType, string>();
  for (const key of keys) {
    const c = CONTRACTS[key];
    for (const s of Object.values(c.responses)) if (s && !outputs.has(s) && !c.contentType) outputs.set(s, `${cap(c.operationId)}Response`);
    if (c.body) inputs.set(c.body, inputName(exported.get(c.body) ?? `${cap(c.operationId)}Body`));
  }
  const all = { ...components(outputs, 'output'), ...components(inputs, 'input') };

  const paths: Record<string, Record<string, Json>> = {};
  for (const key of keys) {
    const [method, path] = key.split(' ') as [string, string];
    const c = CONTRACTS[key];
    const kind = ROUTES[key].access.kind;
    const responses: Record<string, Json> = {};
    for (const [status, schema] of Object.entries(c.responses)) {
      const id = schema ? outputs.get(schema) : undefined;
      responses[status] = {
        description: schema ? (id ?? 'OK') : 'No content',
        ...(schema ? { content: { [c.contentType ?? 'application/json']: { schema: id ? { $ref: REF(id) } : { type: 'string' } } } } : {}),
      };
    }
    const parameters = [
      ...pathParams(path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...(c.query ? queryParameters(c.query) : []),
    ];
    const operation: Json = {
      operationId: c.operationId,
      tags: [c.tag],
      summary: c.summary,
      description: [c.description, accessText(key)].filter(Boolean).join('\n\n'),
      'x-flotilla-access': accessExtension(key),
      ...('audit' in ROUTES[key] ? { 'x-flotilla-audit': (ROUTES[key] as { audit: string }).audit } : {}),
      security: c.agentAuth ? [{ agent: [] }] : kind === 'public' ? [] : [{ token: [] }, { session: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(c.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: { $ref: REF(inputs.get(c.body) as string) }, ...(c.example === undefined ? {} : { example: c.example }) } },
            },
          }
        : {}),
      responses: { ...responses, ...errorResponses(key) },
    };
    (paths[openApiPath(path)] ??= {})[method.toLowerCase()] = operation;
  }

  const errors = Object.fromEntries((Object.keys(ERROR_STATUS) as ErrorCode[]).map((code) => [code, errorResponse([code])]));
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Flotilla hub API',
      version: opts.version,
      description:
        'REST API of the Flotilla hub. Errors are `{error: {code, message, details?}}` with a code from one catalogue, each with its HTTP status. ' +
        "Another tenant's resource answers 404, never 403. Lists take `?limit&cursor`. Realtime events: Socket.IO namespace `/live` (same auth).",
    },
    servers: [{ url: `${opts.publicUrl ?? ''}/api/v1` }],
    tags: [...new Set(keys.map((k) => CONTRACTS[k].tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: reachable({ paths, errors }, all),
      responses: errors,
      securitySchemes: {
        token: { type: 'http', scheme: 'bearer', description: 'An API token (`flt_…`, `POST /tokens`); its role is its scope.' },
        session: { type: 'apiKey', in: 'cookie', name: 'flotilla_session', description: 'The session cookie `POST /auth/login` sets.' },
        agent: { type: 'http', scheme: 'basic', description: "An agent's id and secret (`POST /installations/{id}/agent-credentials`)." },
      },
    },
  };
}

/** Request bodies are converted as inputs (defaults optional); a name shared with a response gets `Input`. */
function inputName(name: string): string {
  return name.endsWith('Body') ? name : `${name}Input`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
