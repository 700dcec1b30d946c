import type { z } from 'zod';
import type { ErrorCode } from '../errors.js';

/**
 * One REST route's wire contract: what it takes and what it answers. Who may call it lives in the
 * hub's role matrix (same keys); the OpenAPI document and the SDK are generated from both.
 */
export interface RouteContract {
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success statuses and their bodies (`null`: no body, e.g. 204). */
  responses: Readonly<Record<number, z.ZodType | null>>;
  /** Errors beyond those the route's kind implies (validation, authentication, role, not found, rate limit). */
  errors?: readonly ErrorCode[];
  /** A valid request body, shown in the reference (a test parses each with `body`). */
  example?: unknown;
  /** A body that is not JSON (the agent install manifest). */
  contentType?: string;
  /** The agent's own HTTP routes authenticate with its credentials (HTTP Basic), not a user. */
  agentAuth?: boolean;
}

