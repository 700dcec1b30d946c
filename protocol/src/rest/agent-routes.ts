import { z } from 'zod';
import { AgentPollResponse, CommandProgress, OkAck, StatusReport } from '../agent.js';
import type { RouteContract } from './route-contract.js';

/** The agent's own HTTP routes (install manifest, polling fallback) and this API's OpenAPI document. */
export const AGENT_ROUTES = {
  'GET /agent/install/:token': {
    operationId: 'agentInstallManifest',
    tag: 'Agents',
    summary: "The agent's install manifest (compose file or Kubernetes manifest); the token is single-use",
    responses: { 200: z.string() },
    contentType: 'application/yaml',
  },
  'GET /agent/state': {
    operationId: 'agentPoll',
    tag: 'Agents',
    summary: "Agent polling fallback: the desired state and pending commands (the agent's credentials as HTTP Basic)",
    responses: { 200: AgentPollResponse },
    agentAuth: true,
  },
  'POST /agent/status': { operationId: 'agentStatus', tag: 'Agents', summary: 'Agent polling fallback: a status report', body: StatusReport, responses: { 200: OkAck }, agentAuth: true },
  'POST /agent/progress': { operationId: 'agentProgress', tag: 'Agents', summary: "Agent polling fallback: a command's progress", body: CommandProgress, responses: { 200: OkAck }, agentAuth: true },

  'GET /openapi.json': {
    operationId: 'openApiDocument',
    tag: 'Meta',
    summary: 'This document: OpenAPI 3.1 of every route (the reference page is `/api/docs`)',
    responses: { 200: z.record(z.string(), z.unknown()) },
  },
} as const satisfies Record<string, RouteContract>;
