import { z } from 'zod';
import { ComponentName, IsoDate } from '../common.js';

/** Commands a person (or integration) may send to an installation's agent through the REST API. */
export const RequestableCommandType = z.enum(['redeploy', 'restart', 'rollback', 'collect-logs', 'self-update']);
export type RequestableCommandType = z.infer<typeof RequestableCommandType>;

/**
 * pending → delivered (the agent acked it) → running → succeeded | failed; `refused` when the agent
 * answered the delivery `{accepted:false}`.
 */
export const CommandStatus = z.enum(['pending', 'delivered', 'running', 'succeeded', 'failed', 'refused']);
export type CommandStatus = z.infer<typeof CommandStatus>;


export const CreateCommandBody = z.object({
  type: RequestableCommandType,
  /** Components the command applies to; all of the installation's components when absent. Not for self-update. */
  targets: z.array(ComponentName).min(1).max(100).optional(),
  /** collect-logs: how many of the last lines per component (default 200). */
  lines: z.number().int().min(1).max(5000).optional(),
});
export type CreateCommandBody = z.input<typeof CreateCommandBody>;

export const InstallationCommand = z.object({
  id: z.string(),
  installationId: z.string(),
  customerId: z.string(),
  type: z.string(),
  status: CommandStatus,
  message: z.string().nullable(),
  targets: z.array(z.string()).nullable(),
  /** self-update: the image and version the agent is replaced with. */
  image: z.string().nullable(),
  agentVersion: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  finishedAt: IsoDate.nullable(),
});
export type InstallationCommand = z.infer<typeof InstallationCommand>;

export const CommandLogChunk = z.object({ component: z.string().nullable(), lines: z.array(z.string()) });
export type CommandLogChunk = z.infer<typeof CommandLogChunk>;

/** `GET /installations/:id/commands/:commandId`: the command, and for collect-logs the lines collected so far. */
export const InstallationCommandDetail = InstallationCommand.extend({
  logs: z.array(CommandLogChunk),
  /** collect-logs: the agent sent its last chunk. */
  logsComplete: z.boolean(),
});
export type InstallationCommandDetail = z.infer<typeof InstallationCommandDetail>;

export const CommandPage = z.object({ items: z.array(InstallationCommand), nextCursor: z.string().nullable() });
export type CommandPage = z.infer<typeof CommandPage>;

/** The agent update the hub offers an installation: the agent image it ships for the agent's kind. */
export const AgentUpdateOffer = z.object({ version: z.string(), image: z.string() });
export type AgentUpdateOffer = z.infer<typeof AgentUpdateOffer>;
