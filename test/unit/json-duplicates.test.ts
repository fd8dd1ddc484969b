import fc from 'fast-check';
import { findDuplicateKey } from '../../lambdas/http/json-duplicates';

describe('findDuplicateKey', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":1,"b":{"c":1,"c":2}}', 'c'],
    ['[{"x":1},{"y":[{"z":1,"z":1}]}]', 'z'],
    ['{"\\u0061":1,"a":2}', 'a'],
    ['{"a\\"b":1,"a\\"b":2}', 'a"b'],
    ['{ "k" : 1 , "k" : 2 }', 'k'],
  ])('finds the duplicate in %s', (text, key) => expect(findDuplicateKey(text)).toBe(key));

  it.each([
    '{"a":1,"b":2}',
    '{"a":{"a":{"a":1}}}',
    '[{"a":1},{"a":2}]',
    '{"a":"\\"a\\":1,","b":["a","a"]}',
    '{"a":[1,2,{"b":1}],"b":{}}',
    '"just a string"',
    '[]',
  ])('finds none in %s', (text) => expect(findDuplicateKey(text)).toBeUndefined());

  it('agrees with a key count on generated JSON', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 6 }), (pairs) => {
        const text = `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
        const keys = pairs.map(([k]) => k);
        const topDuplicate = keys.find((k, i) => keys.indexOf(k) !== i);
        const found = findDuplicateKey(text);
        // Nested values come from JSON.stringify, which never emits duplicates.
        return topDuplicate === undefined ? found === undefined : found !== undefined;
      }),
      { numRuns: 2000 },
    );
  });
});
