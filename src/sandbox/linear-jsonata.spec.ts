import { describe, expect, it } from '@jest/globals';
import jsonata from 'jsonata';
import { isLinearJsonata } from './linear-jsonata.js';

const linear = (expression: string) => isLinearJsonata(jsonata(expression).ast());

describe('isLinearJsonata', () => {
  it.each([
    'id',
    'pull_request.number',
    '$sum(items.(price * quantity))',
    '$count(items)',
    'items[price > 3].name',
    '{ "size": additions + deletions, "big": additions > 100 }',
    'a ? b : c',
    '$join(items.name, ", ")',
    '$ * 2',
    'items^(price).name',
    '**.name',
    '$uppercase(title) & " #" & $string(number)',
  ])('runs %s here (linear in its input)', (expression) => {
    expect(linear(expression)).toBe(true);
  });

  it.each([
    ['[1..1000000]', 'a range'],
    ['($f := function($n) { $f($n) }; $f(1))', 'a recursive function'],
    ['items.($$.items)', 'the root re-read from every item'],
    ['items.(%.items)', 'the parent re-read from every item'],
    ['$match(text, /(a+)+$/)', 'a regular expression'],
    ['$distinct(items)', 'a builtin that compares pairs'],
    ['$pad("", 100000000, "x")', 'a builtin that grows its output'],
    ['items ~> $count()', 'function application'],
    ['$eval("1 + 1")', 'eval'],
    ['$x := 1', 'a binding'],
    ['$sort(items, function($a, $b) { $a > $b })', 'a comparator'],
    ['$ ~> | items | { "x": 1 } |', 'a transform'],
  ])('sends %s to the sandbox (%s)', (expression) => {
    expect(linear(expression)).toBe(false);
  });
});
