import fc from 'fast-check';
import { restoreWithheld, splitWithheld, withhold } from '../../lambdas/domain/resume-policy';

/**
 * Withheld fields are resolved against the document as saved, whatever their
 * order (docs/withheld-fields.md, "The resume policy"): for random
 * documents and random sets of pointers into them, no withheld pointer's value
 * is in the answer, and what a save split apart is put back whole.
 */

type Json = string | Json[] | { [key: string]: Json };

/** Keys that need RFC 6901's escapes, and names that look like indexes, among plain ones. */
const key = fc.constantFrom('a', 'b', 'kids', '0', '1', 'a/b', 'm~n', '__proto__', 'x y');
const shape: fc.Arbitrary<Json> = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant('leaf'),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  ),
})).node;

/** Every leaf a text of its own, so a value found in the answer is that value and no other. */
const tagLeaves = (doc: Json): Json => {
  let n = 0;
  const tag = (v: Json): Json => {
    if (typeof v === 'string') return `leaf-${n++}-leaf`;
    if (Array.isArray(v)) return v.map(tag);
    const out: Record<string, Json> = {};
    for (const [k, child] of Object.entries(v)) Object.defineProperty(out, k, { value: tag(child), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return tag(doc);
};

const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every pointer into `doc` (the top-level ones also by name, as a policy may write them). */
const pointersOf = (doc: Json, prefix = ''): string[] => {
  if (typeof doc === 'string') return [];
  const entries: Array<[string, Json]> = Array.isArray(doc) ? doc.map((v, i) => [String(i), v]) : Object.entries(doc);
  return entries.flatMap(([k, v]) => {
    const p = `${prefix}/${escape(k)}`;
    return [p, ...(prefix === '' && !k.startsWith('/') ? [k] : []), ...pointersOf(v, p)];
  });
};

const leaves = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v !== null && typeof v === 'object' ? Object.values(v as Record<string, unknown>).flatMap(leaves) : [];

const valueAt = (doc: unknown, pointer: string): unknown => {
  const path = pointer.startsWith('/')
    ? pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    : [pointer];
  return path.reduce<unknown>((at, k) => (at !== null && typeof at === 'object' && Object.hasOwn(at, k) ? (at as Record<string, unknown>)[k] : undefined), doc);
};

const documentAndFields = fc
  .dictionary(key, shape, { minKeys: 1, maxKeys: 5 })
  .map((d) => tagLeaves(d) as Record<string, Json>)
  .chain((doc) => {
    const pointers = pointersOf(doc);
    const some = pointers.length === 0 ? fc.constant<string[]>([]) : fc.array(fc.constantFrom(...pointers), { maxLength: 8 });
    // Pointers to nothing too (an index past the end, a missing member): they withhold nothing and break nothing.
    return fc.tuple(fc.constant(doc), some, fc.array(fc.constantFrom('/kids/7', '/a/9/b', 'missing', '/0/0'), { maxLength: 2 }));
  })
  .map(([doc, fields, absent]) => ({ doc, fields: [...fields, ...absent] }));

describe('withheld pointers, against the document as saved', () => {
  it('the answer holds no value of any withheld pointer, whatever the pointers and their order', () => {
    fc.assert(
      fc.property(documentAndFields, ({ doc, fields }) => {
        const answer = JSON.stringify(withhold(doc, fields));
        for (const field of fields) {
          for (const leaf of leaves(valueAt(doc, field))) expect(answer).not.toContain(`"${leaf}"`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('what a split keeps apart is put back whole, and the saved document is not changed', () => {
    fc.assert(
      fc.property(documentAndFields, ({ doc, fields }) => {
        const before = structuredClone(doc);
        const split = splitWithheld(doc, fields);
        expect(doc).toEqual(before);
        const stored = Object.fromEntries(split.values);
        expect(restoreWithheld(structuredClone(split.visible), fields, stored)).toEqual(before);
      }),
      { numRuns: 2000 },
    );
  });

  it('the attack: ["/kids/0", "/kids/1"] of three children answers the third only, in either order', () => {
    const doc = { kids: ['c0', 'c1', 'c2'] };
    expect(withhold(doc, ['/kids/0', '/kids/1'])).toEqual({ kids: ['c2'] });
    expect(withhold(doc, ['/kids/1', '/kids/0'])).toEqual({ kids: ['c2'] });
  });
});
