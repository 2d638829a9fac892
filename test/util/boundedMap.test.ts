import { BoundedMap } from '../../lib/boundedMap';

describe('BoundedMap', () => {
	it('keeps at most its limit, dropping the oldest', () => {
		const map = new BoundedMap<string, number>(2);
		map.set('a', 1).set('b', 2).set('c', 3);
		expect([...map.keys()]).toEqual(['b', 'c']);
	});

	it('setting a key again makes it the newest', () => {
		const map = new BoundedMap<string, number>(2);
		map.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
		expect([...map.entries()]).toEqual([
			['a', 10],
			['c', 3],
		]);
	});
});
