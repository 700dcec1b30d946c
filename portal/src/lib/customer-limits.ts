import type { Customer, UpdateCustomerBody } from '@flotilla/protocol';

/** The self-service limits form: a number (blank: no limit) and environments separated by commas (blank: any). */
export interface LimitsForm {
  maxInstallations: string;
  allowedEnvironments: string;
}

export function limitsForm(customer: Pick<Customer, 'maxInstallations' | 'allowedEnvironments'>): LimitsForm {
  return { maxInstallations: customer.maxInstallations === null ? '' : String(customer.maxInstallations), allowedEnvironments: (customer.allowedEnvironments ?? []).join(', ') };
}

/** Pure: the PATCH body for the form, or why it cannot be sent. */
export function buildLimitsBody(form: LimitsForm): { ok: true; value: UpdateCustomerBody } | { ok: false; message: string } {
  const max = form.maxInstallations.trim();
  if (max !== '' && !/^\d+$/.test(max)) return { ok: false, message: 'Maximum installations: a whole number, or blank for no limit' };
  const environments = [...new Set(form.allowedEnvironments.split(',').map((e) => e.trim()).filter((e) => e !== ''))];
  return { ok: true, value: { maxInstallations: max === '' ? null : Number(max), allowedEnvironments: environments.length === 0 ? null : environments } };
}

/** In words, for the customer's own page: what the vendor allows. */
export function describeLimits(customer: Pick<Customer, 'maxInstallations' | 'allowedEnvironments'>, count: number): string {
  const max = customer.maxInstallations === null ? `${count} installation${count === 1 ? '' : 's'}` : `${count} of ${customer.maxInstallations} installations`;
  const envs = customer.allowedEnvironments === null ? 'any environment' : customer.allowedEnvironments.join(', ');
  return `${max} · ${envs}`;
}
