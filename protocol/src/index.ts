export * from './errors.js';
export * from './common.js';
export * from './agent.js';
export * from './live.js';
export * from './health.js';
export * from './rest/auth.js';
export * from './rest/resources.js';
export * from './rest/identity.js';
