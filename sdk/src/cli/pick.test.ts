import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { pickOne, type Candidate } from './pick.js';

const inst = (id: string, customer: string, name: string): Candidate<string> => ({ item: id, id, names: [name, `${customer}/${name}`], label: `${customer}/${name}` });
const fleet = [inst('id-1', 'Acme', 'main'), inst('id-2', 'Globex', 'main'), inst('id-3', 'Globex', 'staging')];

describe('pickOne', () => {
  it('finds by id, exact name, then a name in another case', () => {
    expect(pickOne('installation', 'id-2', fleet)).toBe('id-2');
    expect(pickOne('installation', 'staging', fleet)).toBe('id-3');
    expect(pickOne('installation', 'Acme/main', fleet)).toBe('id-1');
    expect(pickOne('installation', 'globex/STAGING', fleet)).toBe('id-3');
  });
  it('says which ones match when a name is ambiguous, and how to be precise', () => {
    expect(() => pickOne('installation', 'main', fleet, 'name it CUSTOMER/NAME or by its id')).toThrow(
      '"main" is ambiguous: 2 installations match (Acme/main (id-1), Globex/main (id-2)); name it CUSTOMER/NAME or by its id',
    );
  });
  it('lists the known names when none matches, and exits 1', () => {
    let err: unknown;
    try {
      pickOne('installation', 'prod', fleet);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: 1, message: 'No installation "prod"; known: Acme/main, Globex/main, Globex/staging' });
    expect(() => pickOne('track', 'Shop', [])).toThrow('No track "Shop"; there is none yet');
  });
  it('prefers an exact name to one differing in case', () => {
    const apps = [
      { item: 'a', id: '1', names: ['Shop'], label: 'Shop' },
      { item: 'b', id: '2', names: ['shop'], label: 'shop' },
    ];
    expect(pickOne('application', 'shop', apps)).toBe('b');
    expect(() => pickOne('application', 'SHOP', apps)).toThrow('ambiguous');
  });
});
