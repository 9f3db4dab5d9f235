import { describe, expect, it } from '@jest/globals';
import { hostEntryOf, parseHostEntry, urlMatchesHosts } from './credential-hosts.js';

const allowed = (url: string, hosts: string[]) => urlMatchesHosts(new URL(url), hosts);

describe('credential hosts', () => {
  it.each([
    ['https://api.github.com/repos', ['api.github.com'], true],
    ['https://API.GitHub.com/', ['api.github.com'], true],
    ['http://api.github.com/', ['api.github.com'], false],
    ['https://api.github.com:8443/', ['api.github.com'], false],
    ['https://api.github.com:8443/', ['api.github.com:8443'], true],
    ['https://evil.com/?api.github.com', ['api.github.com'], false],
    ['https://api.github.com.evil.com/', ['api.github.com'], false],
    ['https://a.example.com/', ['*.example.com'], true],
    ['https://a.b.example.com/', ['*.example.com'], true],
    ['https://example.com/', ['*.example.com'], false],
    ['https://badexample.com/', ['*.example.com'], false],
    ['http://127.0.0.1:4010/x', ['http://127.0.0.1:4010'], true],
    ['http://127.0.0.1:4011/x', ['http://127.0.0.1:4010'], false],
    ['https://127.0.0.1:4010/x', ['http://127.0.0.1:4010'], false],
    ['http://localhost/x', ['http://localhost'], true],
    ['https://other.com/', [], false],
  ])('%s against %j: %s', (url, hosts, expected) => {
    expect(allowed(url, hosts)).toBe(expected);
  });

  it('refuses entries that are not hosts, saying how to write one', () => {
    for (const bad of ['https://api.github.com/v3', 'user@host.com', '*', '*.com', 'ftp://x.com', 'host:99999', 'a b.com', '']) {
      expect(parseHostEntry(bad)).toEqual({ error: expect.stringContaining(bad === '' ? 'is not a host' : bad) });
    }
    expect(parseHostEntry('http://Ollama.internal:11434')).toEqual({ scheme: 'http:', host: 'ollama.internal', wildcard: false, port: 11434 });
  });

  it('derives the entry a base URL implies', () => {
    expect(hostEntryOf('https://api.openai.com/v1')).toBe('api.openai.com');
    expect(hostEntryOf('http://127.0.0.1:4010/v1')).toBe('http://127.0.0.1:4010');
    expect(hostEntryOf('http://ollama.internal/v1')).toBe('http://ollama.internal');
    expect(hostEntryOf('https://ghe.example.com:8443/api/v3')).toBe('ghe.example.com:8443');
    expect(hostEntryOf('not a url')).toBeNull();
    expect(allowed('http://ollama.internal/v1/chat', [hostEntryOf('http://ollama.internal/v1')!])).toBe(true);
  });
});
