import type { z } from 'zod';
import { describeIssues, summarizeIssues } from '@flotilla/protocol';
import { AppError } from '../errors.js';

/** Parses input at the edge; handlers only ever see the schema's output type. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new AppError('VALIDATION_FAILED', `Invalid request ${where}: ${summarizeIssues(result.error.issues)}`, {
      issues: describeIssues(result.error.issues),
    });
  }
  return result.data;
}

/** A path parameter the router guarantees; typed as string for handlers. */
export function param(ctx: { params: Record<string, string | undefined> }, name: string): string {
  const value = ctx.params[name];
  if (value === undefined || value === '') throw new AppError('NOT_FOUND', `Missing path parameter ${name}`);
  return value;
}
