import { LruMap } from './lru-map';

function filled(...keys: string[]): LruMap<string, number> {
  const map = new LruMap<string, number>();
  keys.forEach((key, i) => map.set(key, i));
  return map;
}

describe('LruMap', () => {
  it('orders keys by insertion until one is used', () => {
    const map = filled('a', 'b', 'c');
    expect([...map.keys()]).toEqual(['a', 'b', 'c']);
    expect(map.leastRecentKey()).toBe('a');
  });

  it('moves a key to the most recent end when it is read or replaced, not when it is peeked', () => {
    const map = filled('a', 'b', 'c');
    expect(map.get('a')).toBe(0);
    expect([...map.keys()]).toEqual(['b', 'c', 'a']);
    map.set('b', 10);
    expect([...map.keys()]).toEqual(['c', 'a', 'b']);
    expect(map.peek('c')).toBe(2);
    expect(map.leastRecentKey()).toBe('c');
    expect(map.get('b')).toBe(10);
    expect([...map.keys()]).toEqual(['c', 'a', 'b']);
  });

  it('keeps its order consistent when the oldest, newest or a middle key is deleted', () => {
    const map = filled('a', 'b', 'c', 'd');
    expect(map.delete('b')).toBe(true);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('d')).toBe(true);
    expect(map.delete('zz')).toBe(false);
    expect([...map.keys()]).toEqual(['c']);
    map.set('e', 4);
    map.get('c');
    expect([...map.keys()]).toEqual(['e', 'c']);
    expect(map.size).toBe(2);
    map.clear();
    expect([...map.keys()]).toEqual([]);
    expect(map.leastRecentKey()).toBeUndefined();
    expect(map.get('c')).toBeUndefined();
  });
});
