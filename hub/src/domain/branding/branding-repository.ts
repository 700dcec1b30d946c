import type { BrandImageKind } from '@flotilla/protocol';
import type { Database } from '../../infra/index.js';
import type { BrandImage } from './images.js';

export interface BrandingRow {
  vendor_id: string;
  vendor_name: string;
  product_name: string | null;
  primary_color: string | null;
  accent_color: string | null;
  email_sender_name: string | null;
  email_footer: string | null;
  logo_type: string | null;
  logo_hash: string | null;
  favicon_type: string | null;
  favicon_hash: string | null;
  updated_at: Date | null;
}

/** Columns of vendor_branding a settings change may write (images are written as three columns each). */
export interface BrandingPatch {
  product_name?: string | null;
  primary_color?: string | null;
  accent_color?: string | null;
  email_sender_name?: string | null;
  email_footer?: string | null;
  logo?: BrandImage | null;
  favicon?: BrandImage | null;
}

const COLUMNS = ['product_name', 'primary_color', 'accent_color', 'email_sender_name', 'email_footer', 'logo_type', 'logo_hash', 'favicon_type', 'favicon_hash', 'updated_at'].map((c) => `b.${c}`);

function imageColumns(kind: BrandImageKind, image: BrandImage | null): Record<string, unknown> {
  return { [`${kind}_data`]: image?.data ?? null, [`${kind}_type`]: image?.contentType ?? null, [`${kind}_hash`]: image?.hash ?? null };
}

export class BrandingRepository {
  constructor(private readonly db: Database) {}

  /** The vendor's branding (all null when never set), or undefined when the vendor does not exist. */
  async get(vendorId: string): Promise<BrandingRow | undefined> {
    return this.db('vendors as v')
      .leftJoin('vendor_branding as b', 'b.vendor_id', 'v.id')
      .where('v.id', vendorId)
      .first<BrandingRow | undefined>(['v.id as vendor_id', 'v.name as vendor_name', ...COLUMNS]);
  }

  async byDomain(domain: string): Promise<BrandingRow | undefined> {
    const row = await this.db('vendor_domains').where({ domain }).first<{ vendor_id: string } | undefined>('vendor_id');
    return row && this.get(row.vendor_id);
  }

  async domains(vendorId: string): Promise<string[]> {
    return (await this.db('vendor_domains').where({ vendor_id: vendorId }).orderBy('domain').select<{ domain: string }[]>('domain')).map((r) => r.domain);
  }

  /** Which of these domains another vendor already has. */
  async takenByOthers(vendorId: string, domains: string[]): Promise<string[]> {
    if (domains.length === 0) return [];
    return (await this.db('vendor_domains').whereIn('domain', domains).whereNot({ vendor_id: vendorId }).select<{ domain: string }[]>('domain')).map((r) => r.domain);
  }

  /** Writes the changed columns and, when given, replaces the domain list; one transaction. */
  async save(vendorId: string, patch: BrandingPatch, domains: string[] | undefined): Promise<void> {
    const { logo, favicon, ...columns } = patch;
    const values: Record<string, unknown> = { ...columns, updated_at: this.db.fn.now() };
    if (logo !== undefined) Object.assign(values, imageColumns('logo', logo));
    if (favicon !== undefined) Object.assign(values, imageColumns('favicon', favicon));
    await this.db.transaction(async (trx) => {
      await trx('vendor_branding').insert({ vendor_id: vendorId, ...values }).onConflict('vendor_id').merge(Object.keys(values));
      if (domains === undefined) return;
      await trx('vendor_domains').where({ vendor_id: vendorId }).delete();
      if (domains.length > 0) await trx('vendor_domains').insert(domains.map((domain) => ({ domain, vendor_id: vendorId })));
    });
  }

  async image(vendorId: string, kind: BrandImageKind): Promise<BrandImage | undefined> {
    const row = await this.db('vendor_branding')
      .where({ vendor_id: vendorId })
      .first<{ data: Buffer | null; type: string | null; hash: string | null } | undefined>([`${kind}_data as data`, `${kind}_type as type`, `${kind}_hash as hash`]);
    if (!row?.data || !row.type || !row.hash) return undefined;
    return { data: row.data, contentType: row.type as BrandImage['contentType'], hash: row.hash };
  }
}
