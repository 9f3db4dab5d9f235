import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.loader.js';

function load(credentialsYaml: string, env: Record<string, string> = {}, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-creds-'));
  writeFileSync(join(dir, 'credentials.yaml'), credentialsYaml);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return loadConfig({ env, configDir: dir, cwd: dir });
}

function problems(credentialsYaml: string, env: Record<string, string> = {}): string[] {
  try {
    load(credentialsYaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.file}: ${p.key}: ${p.reason}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config/credentials.yaml: allow and hosts', () => {
  it("reads allow (missing keys take the defaults) and hosts, and implies the provider's host", () => {
    const config = load(
      [
        'team-api:\n  provider: http\n  type: header\n  env: { name: HDR_NAME, value: HDR_VALUE }\n  allow: { users: [alice] }\n  hosts: [api.example.com, "*.example.org", "http://127.0.0.1:8080"]',
        'bot:\n  provider: github\n  type: api_key\n  env: { key: BOT }',
        'hook:\n  provider: slack\n  type: secret_url\n  env: { url: HOOK_URL }',
        'openai-team:\n  provider: openai\n  type: api_key\n  env: { key: OAI }\n  allow: { file_agents: false, roles: [admin, user] }',
      ].join('\n'),
      { HDR_NAME: 'X-Key', HDR_VALUE: 'v', BOT: 'ghp', HOOK_URL: 'https://hooks.slack.com/services/T/B/x', OAI: 'sk' },
      { 'default.yaml': 'integrations:\n  openai:\n    base_url: http://127.0.0.1:4010/v1\n' },
    );
    expect(config.credentials['team-api']).toMatchObject({
      allow: { file_agents: true, roles: ['admin'], users: ['alice'] },
      hosts: ['api.example.com', '*.example.org', 'http://127.0.0.1:8080'],
    });
    expect(config.credentials.bot!.hosts).toEqual(['api.github.com']);
    expect(config.credentials.hook!.hosts).toEqual(['hooks.slack.com']);
    expect(config.credentials['openai-team']).toMatchObject({
      allow: { file_agents: false, roles: ['admin', 'user'], users: [] },
      hosts: ['http://127.0.0.1:4010'],
    });
  });

  it('makes the system defaults operator credentials, whose entry sets allow and hosts', () => {
    const config = load('default:openai:\n  allow: { roles: [admin, user] }\n', { OPENAI_API_KEY: 'sk-sys', SMTP_URL: 'smtp://mail.example.com' });
    expect(config.credentials['default:openai']).toEqual({
      provider: 'openai',
      type: 'api_key',
      fields: { key: 'sk-sys' },
      env: { key: 'OPENAI_API_KEY' },
      allow: { file_agents: true, roles: ['admin', 'user'], users: [] },
      hosts: ['api.openai.com'],
      system: true,
    });
    expect(config.credentials['default:smtp']).toMatchObject({
      type: 'smtp',
      fields: { url: 'smtp://mail.example.com' },
      allow: { roles: ['admin'] },
      system: true,
    });
    expect(config.credentials['default:github']).toMatchObject({ fields: {}, hosts: ['api.github.com'], system: true });
  });

  it('refuses inline ${VAR}, an http credential without hosts, bad hosts and allow, naming file and key', () => {
    expect(
      problems(
        [
          'inline:\n  provider: github\n  type: api_key\n  env: { key: "${GITHUB_TOKEN}" }',
          'nohosts:\n  provider: http\n  type: api_key\n  env: { key: K }',
          'badhosts:\n  provider: http\n  type: api_key\n  env: { key: K }\n  hosts: ["https://api.example.com/v1"]',
          'badallow:\n  provider: github\n  type: api_key\n  env: { key: K }\n  allow: { roles: [owner], everyone: true }',
          'default:mystery:\n  allow: {}',
          'default:github:\n  provider: github',
        ].join('\n'),
      ),
    ).toEqual([
      'credentials.yaml: inline.env.key: inline ${VAR} is refused in credentials.yaml (a secret must not be interpolated into a file): name the variable under env: {<field>: VAR}',
      'credentials.yaml: inline.env.key: expected the name of an environment variable, such as GITHUB_TOKEN',
      'credentials.yaml: nohosts.hosts: is required for an http credential: list where it may be sent, such as hosts: [api.example.com]',
      'credentials.yaml: badhosts.hosts[0]: "https://api.example.com/v1" is not a host: write a name such as api.example.com, *.example.com, http://host:8080 or host:8443 (no path)',
      'credentials.yaml: badallow.allow.roles: expected a list of roles: admin, user',
      'credentials.yaml: badallow.allow.everyone: unknown key (known here: file_agents, roles, users)',
      'credentials.yaml: default:mystery: unknown system default (known: default:openai, default:anthropic, default:github, default:smtp)',
      'credentials.yaml: default:github.provider: unknown key (known here: allow, hosts); a system default reads GITHUB_TOKEN',
    ]);
  });

  it('refuses a secret with a control character, naming the key but never the value', () => {
    const found = problems('hdr:\n  provider: http\n  type: header\n  env: { name: H_NAME, value: H_VALUE }\n  hosts: [api.example.com]', {
      H_NAME: 'X-Key',
      H_VALUE: 'abc\r\nX-Evil: 1',
      OPENAI_API_KEY: 'sk\nX',
    });
    expect(found).toEqual([
      'credentials.yaml: hdr.env.value: the value of H_VALUE holds a control character (U+000D); a secret may not contain one',
      'environment: OPENAI_API_KEY: holds a control character (U+000A); a secret may not contain one',
    ]);
    expect(found.join()).not.toContain('X-Evil');
  });
});
