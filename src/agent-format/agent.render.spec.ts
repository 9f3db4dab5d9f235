import { describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { validateTexts, yaml } from '../../test/agents/fixtures/check.js';
import { renderMermaid, renderSvg } from './agent.render.js';

const TEXT = yaml(
  'name: labeler',
  'nodes:',
  '  pr:',
  '    block: trigger.github',
  '    inputs: { events: [pull_request.opened] }',
  '  end:', // a Mermaid keyword as a node id
  '    block: json.query',
  '    inputs: { expression: "a < b & \\"c\\"" }',
  '  out:',
  '    block: output',
  '    inputs: { name: size }',
  'links:',
  '  - pr.payload.pull_request -> end.data',
  '  - { from: end.result, to: out.value, static: true }',
);

const agent = () => {
  const result = validateTexts({ 'agents/labeler.yaml': TEXT }).results[0]!;
  expect(result.problems).toEqual([]);
  return result.agent!;
};

describe('Mermaid', () => {
  it('draws nodes as id<br/>block, links labelled with their pins, and styles triggers', () => {
    expect(renderMermaid(agent())).toBe(
      [
        'flowchart LR',
        '  n_end["end<br/>json.query"]',
        '  n_out[/"out<br/>output"/]:::io',
        '  n_pr(["pr<br/>trigger.github"]):::trigger',
        '  n_end -.->|"result → value"| n_out',
        '  n_pr -->|"payload.pull_request → data"| n_end',
        '  classDef trigger fill:#fff4d6,stroke:#b7791f,stroke-width:2px',
        '  classDef io fill:#e7f5ec,stroke:#2f855a',
        '',
      ].join('\n'),
    );
  });

  it('escapes quotes and angle brackets in labels', () => {
    const def = agent();
    def.links.find((l) => l.from.node === 'end')!.from.path = ['a"b<c>'];
    expect(renderMermaid(def)).toContain('|"result.a#quot;b#lt;c#gt; → value"|');
  });
});

describe('SVG', () => {
  it('is a valid standalone SVG with a box per node, an arrow and a label per link', () => {
    const svg = renderSvg(agent());
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as { svg: Record<string, unknown> };
    const root = doc.svg as {
      xmlns: string;
      width: string;
      height: string;
      viewBox: string;
      g: Array<{ rect: { width: string }; text: Array<{ '#text': string }> }>;
      path: Array<{ d: string; 'marker-end': string; class: string }>;
    };
    expect(root.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.width)).toBeGreaterThan(100);
    expect(root.viewBox).toBe(`0 0 ${root.width} ${root.height}`);
    expect(root.g.map((g) => g.text.map((t) => t['#text']))).toEqual(
      expect.arrayContaining([
        ['pr', 'trigger.github'],
        ['end', 'json.query'],
        ['out', 'output'],
      ]),
    );
    expect(root.path).toHaveLength(2);
    for (const path of root.path) {
      expect(path.d).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
      expect(path['marker-end']).toBe('url(#arrow)');
    }
    expect(root.path.filter((p) => p.class.includes('static'))).toHaveLength(1);
    expect(svg).toContain('>payload.pull_request → data</text>');
  });

  it('lays nodes out in layers from left to right along the links', () => {
    const svg = renderSvg(agent());
    const x = (id: string) => Number(new RegExp(`<text class="node-id" x="([\\d.]+)"[^>]*>${id}</text>`).exec(svg)![1]);
    expect(x('pr')).toBeLessThan(x('end'));
    expect(x('end')).toBeLessThan(x('out'));
  });

  it('escapes text', () => {
    const def = agent();
    def.links.find((l) => l.from.node === 'pr')!.from.path = ['a&b<c>"'];
    const svg = renderSvg(def);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('>payload.a&amp;b&lt;c&gt;&quot; → data</text>');
  });
});
