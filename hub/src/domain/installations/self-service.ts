import type { Customer, UpdateInstallationBody } from '@flotilla/protocol';
import { AppError } from '../../errors.js';

type Limits = Pick<Customer, 'name' | 'maxInstallations' | 'allowedEnvironments'>;

/** What a customer's admin may change on an installation; the rest (helm values, cluster rights) is the vendor's. */
export const CUSTOMER_EDITABLE_FIELDS = ['name', 'environment', 'trackId', 'maintenanceWindows'] as const;

/** Pure: is `environment` one the vendor allows this customer (null: any)? */
export function environmentRefusal(customer: Limits, environment: string): AppError | undefined {
  const allowed = customer.allowedEnvironments;
  if (allowed === null || allowed.includes(environment)) return undefined;
  return new AppError('VALIDATION_FAILED', `environment: ${customer.name} may use ${allowed.length === 0 ? 'no environment' : allowed.map((e) => `"${e}"`).join(', ')}; ask your vendor for "${environment}"`);
}

/** Pure: why a customer's admin may not create an installation in `environment`, having `count`; undefined when they may. */
export function creationRefusal(customer: Limits, count: number, environment: string): AppError | undefined {
  if (customer.maxInstallations !== null && count >= customer.maxInstallations) {
    return new AppError('CONFLICT', `${customer.name} may have at most ${customer.maxInstallations} installation${customer.maxInstallations === 1 ? '' : 's'}; delete one or ask your vendor for more`);
  }
  return environmentRefusal(customer, environment);
}

/** Pure: why a customer's admin may not make this change; undefined when they may. */
export function patchRefusal(customer: Limits, patch: Partial<Record<keyof UpdateInstallationBody, unknown>>, currentEnvironment: string): AppError | undefined {
  const editable: readonly string[] = CUSTOMER_EDITABLE_FIELDS;
  const vendorOnly = Object.keys(patch).filter((k) => patch[k as keyof UpdateInstallationBody] !== undefined && !editable.includes(k));
  if (vendorOnly.length > 0) return new AppError('FORBIDDEN', `Only your vendor changes ${vendorOnly.join(', ')}; you may change ${CUSTOMER_EDITABLE_FIELDS.join(', ')}`);
  if (typeof patch.environment === 'string' && patch.environment !== currentEnvironment) return environmentRefusal(customer, patch.environment);
  return undefined;
}
