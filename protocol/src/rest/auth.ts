import { z } from 'zod';
import { IsoDate, text } from '../common.js';
import { CUSTOMER_ROLES, VENDOR_ROLES } from '../access.js';

export const Email = z.email().max(254).transform((e) => e.toLowerCase());
export const Password = z.string().min(10, 'must be at least 10 characters').max(200);

export const User = z.object({ id: z.string(), email: z.string(), name: z.string(), createdAt: IsoDate });
export type User = z.infer<typeof User>;

export const Vendor = z.object({ id: z.string(), name: z.string(), createdAt: IsoDate });
export type Vendor = z.infer<typeof Vendor>;

export const VendorRole = z.enum(VENDOR_ROLES);
export type VendorRole = z.infer<typeof VendorRole>;
export const CustomerRole = z.enum(CUSTOMER_ROLES);
export type CustomerRole = z.infer<typeof CustomerRole>;

export const Membership = z.object({
  vendorId: z.string(),
  vendorName: z.string(),
  /** null for vendor users; the customer for customer users. */
  customerId: z.string().nullable(),
  customerName: z.string().nullable(),
  role: z.string(),
});
export type Membership = z.infer<typeof Membership>;

export const SignupBody = z.object({
  email: Email,
  password: Password,
  name: text(200).trim().min(1),
  vendorName: text(200).trim().min(1),
});
export type SignupBody = z.input<typeof SignupBody>;
export const SignupResponse = z.object({ user: User, vendor: Vendor });
export type SignupResponse = z.infer<typeof SignupResponse>;
/** A hub with SMTP answers every sign-up so (202): the account is made from the link mailed to the address. */
export const SignupPending = z.object({ confirmBy: z.literal('email'), email: z.string() });
export type SignupPending = z.infer<typeof SignupPending>;
export const SignupConfirmBody = z.object({ token: text(200).min(1) });
export type SignupConfirmBody = z.input<typeof SignupConfirmBody>;

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(200) });
export type LoginBody = z.input<typeof LoginBody>;
export const LoginResponse = z.object({ user: User, memberships: z.array(Membership) });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const MeResponse = LoginResponse;
export type MeResponse = z.infer<typeof MeResponse>;
