import { PageQuery } from '../common.js';
import { ApplicationPage, ApplicationVersionPage, CustomerPage } from './lists.js';
import {
  Application,
  ApplicationVersion,
  CreateApplicationBody,
  CreateCustomerBody,
  CreateVersionBody,
  Customer,
  UpdateApplicationBody,
  UpdateCustomerBody,
  UpdateVersionBody,
} from './resources.js';
import type { RouteContract } from './route-contract.js';

const COMPOSE_EXAMPLE = 'services:\n  web:\n    image: nginx:1.27\n';

/** What a vendor ships and to whom: applications, their versions, customers. */
export const CATALOG_ROUTES = {
  'GET /applications': { operationId: 'listApplications', tag: 'Applications', summary: 'Applications', query: PageQuery, responses: { 200: ApplicationPage } },
  'POST /applications': {
    operationId: 'createApplication',
    tag: 'Applications',
    summary: 'Create an application (compose or helm)',
    body: CreateApplicationBody,
    responses: { 201: Application },
    errors: ['CONFLICT'],
    example: { name: 'shop', kind: 'compose' },
  },
  'GET /applications/:id': { operationId: 'getApplication', tag: 'Applications', summary: 'An application', responses: { 200: Application } },
  'PATCH /applications/:id': {
    operationId: 'updateApplication',
    tag: 'Applications',
    summary: 'Rename or describe an application',
    body: UpdateApplicationBody,
    responses: { 200: Application },
    errors: ['CONFLICT'],
    example: { description: 'The web shop' },
  },
  'DELETE /applications/:id': { operationId: 'deleteApplication', tag: 'Applications', summary: 'Delete an application never deployed', responses: { 204: null }, errors: ['CONFLICT'] },
  'GET /applications/:id/versions': { operationId: 'listVersions', tag: 'Applications', summary: "An application's versions", query: PageQuery, responses: { 200: ApplicationVersionPage } },
  'POST /applications/:id/versions': {
    operationId: 'createVersion',
    tag: 'Applications',
    summary: 'Create an immutable version: a compose file, or a helm chart',
    description: 'A refused compose file or values YAML answers 400 with each problem in `details.issues` (`path`, `message`, `line`, `column`).',
    body: CreateVersionBody,
    responses: { 201: ApplicationVersion },
    errors: ['CONFLICT'],
    example: { version: '1.2.0', compose: { file: COMPOSE_EXAMPLE } },
  },
  'GET /applications/:id/versions/:vid': { operationId: 'getVersion', tag: 'Applications', summary: 'A version', responses: { 200: ApplicationVersion } },
  'PATCH /applications/:id/versions/:vid': {
    operationId: 'updateVersion',
    tag: 'Applications',
    summary: 'Edit notes, archive (`archived: true`) or restore a version',
    body: UpdateVersionBody,
    responses: { 200: ApplicationVersion },
    example: { archived: true },
  },
  'DELETE /applications/:id/versions/:vid': { operationId: 'deleteVersion', tag: 'Applications', summary: 'Delete a version never deployed nor pinned', responses: { 204: null }, errors: ['CONFLICT'] },

  'GET /customers': { operationId: 'listCustomers', tag: 'Customers', summary: 'Customers', query: PageQuery, responses: { 200: CustomerPage } },
  'POST /customers': { operationId: 'createCustomer', tag: 'Customers', summary: 'Create a customer', body: CreateCustomerBody, responses: { 201: Customer }, errors: ['CONFLICT'], example: { name: 'Globex' } },
  'GET /customers/:id': { operationId: 'getCustomer', tag: 'Customers', summary: 'A customer', responses: { 200: Customer } },
  'PATCH /customers/:id': {
    operationId: 'updateCustomer',
    tag: 'Customers',
    summary: "Rename a customer, or set its self-service limits (maximum installations, allowed environments)",
    description: "The limits bind the customer's own admins when they create or change installations; `null` lifts a limit.",
    body: UpdateCustomerBody,
    responses: { 200: Customer },
    errors: ['CONFLICT'],
    example: { name: 'Globex Corp', maxInstallations: 3, allowedEnvironments: ['production', 'staging'] },
  },
  'DELETE /customers/:id': { operationId: 'deleteCustomer', tag: 'Customers', summary: 'Delete a customer', responses: { 204: null }, errors: ['CONFLICT'] },
} as const satisfies Record<string, RouteContract>;
