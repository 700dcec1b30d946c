// The ladders, the access rule and the decisions are the protocol's (the portal asks the same questions).
export { CUSTOMER_ROLES, VENDOR_ROLES, atLeast, decide, mayGrant, rank, type Access, type CustomerRole, type Decision, type VendorRole } from '@flotilla/protocol';

/** The organisation a request acts in: a vendor, or one customer of a vendor. */
export interface Scope {
  vendorId: string;
  /** Set for customer users: every query is further limited to this customer. */
  customerId: string | null;
}

export interface Actor extends Scope {
  userId: string;
  role: string;
  /** The API token used, when not a browser session. */
  tokenId: string | null;
}
