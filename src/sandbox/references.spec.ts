import { describe, expect, it } from '@jest/globals';
import jsonata from 'jsonata';
import { Liquid } from 'liquidjs';
import { jsonataFields, liquidFields, pickFields } from './references.js';

const fields = (expression: string) => {
  const found = jsonataFields(jsonata(expression).ast());
  return found === null ? null : [...found].sort();
};

describe('jsonataFields', () => {
  it.each([
    ['id', ['id']],
    ['$sum(items.(price * quantity))', ['items']],
    ['$count(items)', ['items']],
    ['a[b > 1].c', ['a']],
    ['{ "x": a.b, "y": c }', ['a', 'c']],
    ['items^(price).name', ['items']],
    ['a ? b : c', ['a', 'b', 'c']],
    ['($x := a; $x.b + c)', ['a', 'c']],
    ['$map(items, function($v) { $v.price * rate })', ['items', 'rate']],
    ['$uppercase(name)', ['name']],
    ['items{name: price}', ['items']],
    ['"constant"', []],
  ])('%s reads %j', (expression, expected) => {
    expect(fields(expression)).toEqual(expected);
  });

  it.each([
    '$',
    '$.a',
    '$$.a',
    'a.$$.b',
    '*',
    '**.a',
    'a.%.b',
    '$keys()',
    '$string()',
    '$uppercase()',
    '$substring(1, 2)',
    '$lookup($, "a")',
    '$sift(function($v) { $v })',
  ])('%s may read anything: copy the whole input', (expression) => {
    expect(fields(expression)).toBeNull();
  });
});

describe('liquidFields', () => {
  const liquid = new Liquid();
  const of = (template: string) => liquidFields(template, () => liquid.globalVariablesSync(template));

  it('lists the variables a template reads, not those it assigns', () => {
    expect(of('Hi {{ user.name }}{% for x in items %}{{ x.y }}{% endfor %}{% assign z = a %}{{ z }}')?.sort()).toEqual(['a', 'items', 'user']);
  });

  it('answers null for a variable looked up by another value', () => {
    expect(of('{{ [key] }}')).toBeNull();
    expect(of('x {{ [ key ].y }}')).toBeNull();
    expect(of('{{ a[0] }}{{ b["c"] }}')?.sort()).toEqual(['a', 'b']);
  });
});

describe('pickFields', () => {
  it('keeps the named fields of an object, and anything else whole', () => {
    expect(pickFields({ a: 1, b: { c: 2 }, d: 3 }, ['b', 'missing'])).toEqual({ b: { c: 2 } });
    expect(pickFields({ a: 1 }, null)).toEqual({ a: 1 });
    expect(pickFields([{ a: 1 }], ['a'])).toEqual([{ a: 1 }]);
    expect(pickFields('text', ['a'])).toBe('text');
  });
});
