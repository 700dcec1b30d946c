import { describe, expect, it } from 'vitest';
import { useEntityList } from './use-entity-list';

describe('useEntityList', () => {
  it('loads, replaces by id, appends, drops, and keeps the last good list when a load fails', async () => {
    let answer: () => Promise<{ items: { id: string; n: number }[] }> = async () => ({ items: [{ id: 'a', n: 1 }] });
    const list = useEntityList(() => answer());
    expect(list.loaded.value).toBe(false);
    await list.load();
    expect(list.items.value).toEqual([{ id: 'a', n: 1 }]);
    expect(list.loaded.value).toBe(true);
    list.put({ id: 'a', n: 2 });
    list.put({ id: 'b', n: 1 });
    expect(list.items.value).toEqual([{ id: 'a', n: 2 }, { id: 'b', n: 1 }]);
    list.drop('a');
    expect(list.items.value.map((x) => x.id)).toEqual(['b']);

    answer = () => Promise.reject(new Error('Cannot reach the hub'));
    await list.load();
    expect(list.error.value).toContain('Cannot reach the hub');
    expect(list.items.value.map((x) => x.id)).toEqual(['b']);
    expect(list.loading.value).toBe(false);
  });
});
