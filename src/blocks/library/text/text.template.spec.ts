import { describe, expect, it } from '@jest/globals';
import { run, runError } from '../../../../test/blocks/context.js';
import { templateBlock } from './text.template.js';

describe('text.template', () => {
  it('renders Liquid over the values', async () => {
    const outputs = await run(templateBlock, {
      template:
        'Hello {{ user.name | upcase }}{% if admin %} (admin){% endif %}: {% for n in numbers %}{{ n }}{% unless forloop.last %}, {% endunless %}{% endfor %}',
      values: { user: { name: 'Ada' }, admin: true, numbers: [1, 2, 3] },
    });
    expect(outputs).toEqual([['text', 'Hello ADA (admin): 1, 2, 3']]);
  });

  it('prints objects and lists as JSON, null as nothing', async () => {
    expect(await run(templateBlock, { template: '{{ o }} {{ l }} [{{ n }}]', values: { o: { a: 1 }, l: [1, 'x'], n: null } })).toEqual([
      ['text', '{"a":1} [1,"x"] []'],
    ]);
  });

  it('fails on a variable the values lack, naming it', async () => {
    const error = await runError(templateBlock, { template: 'Hi {{ user.name }}', values: { user: {} } });
    expect(error.code).toBe('TEMPLATE_ERROR');
    expect(error.status).toBe(422);
    expect(error.message).toContain('The template uses "user.name", which values does not define');
    expect(error.message).toContain('values.user');
    expect(error.details).toEqual({ variable: 'user.name' });
    expect((await runError(templateBlock, { template: 'Hi {{ name }}' })).message).toContain('"name"');
  });

  it('lets optional variables through default and if', async () => {
    expect(await run(templateBlock, { template: '{{ title | default: "untitled" }}{% if draft %} (draft){% endif %}' })).toEqual([['text', 'untitled']]);
  });

  it('reports syntax errors and unknown filters against the template pin', async () => {
    const syntax = await runError(templateBlock, { template: '{% if %}' });
    expect(syntax.code).toBe('INVALID_INPUT');
    expect(syntax.message).toContain('template: is not a valid Liquid template');
    expect((await runError(templateBlock, { template: '{{ a | shout }}', values: { a: 1 } })).message).toContain('undefined filter: shout');
  });

  it('never reads files or prototypes', async () => {
    expect((await runError(templateBlock, { template: '{% include "package.json" %}' })).code).toMatch(/TEMPLATE_ERROR|INVALID_INPUT/);
    expect((await runError(templateBlock, { template: '{% render "/etc/passwd" %}' })).code).toMatch(/TEMPLATE_ERROR|INVALID_INPUT/);
    expect((await runError(templateBlock, { template: '{{ o.constructor }}', values: { o: {} } })).code).toBe('TEMPLATE_ERROR');
  });

  it('stops runaway templates', async () => {
    const error = await runError(templateBlock, { template: '{% for i in (1..100000000) %}{{ i }}{% endfor %}' });
    expect(error.code).toBe('TEMPLATE_ERROR');
  });

  it('refuses bad inputs', async () => {
    const error = await runError(templateBlock, { values: [] });
    expect(error.message).toContain('template: is required');
    expect(error.message).toContain('values: expected an object, got a list of 0 items');
  });

  it('stops when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await runError(templateBlock, { template: 'x' }, { signal: controller.signal })).code).toBe('CANCELLED');
  });
});
