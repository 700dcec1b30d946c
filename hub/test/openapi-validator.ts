import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under NodeNext its callable is `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface Response {
  $ref?: string;
  content?: Record<string, { schema: unknown }>;
}
interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { responses?: Record<string, Response> };
}

/**
 * Checks what the hub answers against the OpenAPI document it serves (`/api/v1/openapi.json`):
 * the status must be documented for the operation and the body must match its schema; a request
 * the hub accepted must match the documented request body. Used by every integration test's
 * ApiClient, so the document cannot drift from what the hub does.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: { method: string; template: string; regex: RegExp; literals: number }[];

  constructor(private readonly doc: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc as object, 'openapi');
    this.templates = Object.entries(doc.paths).flatMap(([template, ops]) =>
      Object.keys(ops).map((method) => ({
        method: method.toUpperCase(),
        template,
        regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
      })),
    );
  }

  /** The documented operation for a call, the most specific template first (`/rollouts/preview` before `/rollouts/{id}`). */
  operation(method: string, path: string): { template: string; op: Operation } | undefined {
    const bare = path.split('?')[0] ?? path;
    const match = this.templates.filter((t) => t.method === method.toUpperCase() && t.regex.test(bare)).sort((a, b) => b.literals - a.literals)[0];
    const op = match ? this.doc.paths[match.template]?.[method.toLowerCase()] : undefined;
    return match && op ? { template: match.template, op } : undefined;
  }

  /** Problems with one exchange, in words; empty when it matches the document. */
  check(method: string, path: string, status: number, body: unknown, contentType: string | null, requestBody?: unknown): string[] {
    const found = this.operation(method, path);
    // A path the hub does not serve (a test asking for a missing route) has nothing to match.
    if (!found) return status === 404 || status === 405 ? [] : [`${method} ${path} answered ${status} but is not in the document`];
    const where = `${method} ${found.template} → ${status}`;
    const declared = found.op.responses[String(status)];
    if (!declared) return [`${where}: status not documented (documented: ${Object.keys(found.op.responses).join(', ')})`];
    // Shared error answers are references to components.responses.
    const shared = declared.$ref?.replace('#/components/responses/', '');
    const response = shared ? this.doc.components?.responses?.[shared] : declared;
    const at = shared ? `#/components/responses/${shared}` : `#/paths/${escape(found.template)}/${method.toLowerCase()}/responses/${status}`;
    if (!response) return [`${where}: ${declared.$ref} is not in the document`];
    const problems: string[] = [];
    const media = response.content ? Object.keys(response.content)[0] : undefined;
    if (media === 'application/json' && contentType?.includes('json')) {
      problems.push(...this.validate(`${where} response`, `${at}/content/application~1json/schema`, body));
    } else if (media === undefined && body !== undefined && body !== '') problems.push(`${where}: a body where none is documented`);
    const requestSchema = found.op.requestBody?.content['application/json'];
    if (status < 300 && requestSchema && requestBody !== undefined) {
      problems.push(...this.validate(`${method} ${found.template} request`, `#/paths/${escape(found.template)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`, requestBody));
    }
    return problems;
  }

  private validate(what: string, pointer: string, value: unknown): string[] {
    let fn = this.compiled.get(pointer);
    if (!fn) {
      fn = this.ajv.compile({ $ref: `openapi${pointer}` });
      this.compiled.set(pointer, fn);
    }
    if (fn(value)) return [];
    return (fn.errors ?? []).map((e) => `${what}: ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}

/** JSON pointer escaping of a path template (`/a/{id}` → `~1a~1{id}`). */
function escape(template: string): string {
  return encodeURIComponent(template.replace(/~/g, '~0').replace(/\//g, '~1'));
}

const validators = new Map<string, Promise<OpenApiValidator>>();

/** The validator for the hub at `base`, from the document that hub serves (fetched once). */
export function validatorFor(base: string): Promise<OpenApiValidator> {
  let v = validators.get(base);
  if (!v) {
    v = fetch(`${base}/api/v1/openapi.json`).then(async (res) => {
      if (!res.ok) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`);
      return new OpenApiValidator((await res.json()) as Document);
    });
    validators.set(base, v);
    v.catch(() => validators.delete(base));
  }
  return v;
}
