import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { blockHarness, rejection, type TestContextOptions } from '../../../../test/blocks/peers/block-context.js';
import { startSmtpPeer, type SmtpPeer } from '../../../../test/blocks/peers/smtp-peer.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import type { ResolvedCredential } from '../../block.types.js';
import { emailSendBlock } from './email.send.js';
import { smtpFieldsFromUrl } from './smtp-settings.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('email.send blocks', () => {
  let smtp: SmtpPeer;
  const savedUrl = process.env.SMTP_URL;

  function smtpCredential(fields: Partial<Record<string, string>> = {}): ResolvedCredential {
    const base: Record<string, string> = {
      host: '127.0.0.1',
      port: String(smtp.port),
      secure: 'false',
      username: 'mailer',
      password: 's3cret',
      from: 'Trellis <bot@example.com>',
    };
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) delete base[key];
      else base[key] = value;
    }
    return { name: 'team-smtp', provider: 'smtp', type: 'smtp', fields: base };
  }

  async function send(inputs: Record<string, unknown>, options: TestContextOptions = {}) {
    const harness = blockHarness({ credentials: { smtp: smtpCredential() }, ...options });
    try {
      return await harness.run(emailSendBlock, { to: 'ann@example.com', subject: 'Hello', body: 'Plain words.', ...inputs });
    } finally {
      await harness.close();
    }
  }

  beforeAll(async () => {
    smtp = await startSmtpPeer({ username: 'mailer', password: 's3cret' });
  });

  afterEach(() => {
    smtp.hangOnData = false;
    smtp.refuse.clear();
    if (savedUrl === undefined) delete process.env.SMTP_URL;
    else process.env.SMTP_URL = savedUrl;
  });

  afterAll(async () => {
    await smtp.close();
  });

  describe('email.send', () => {
    it('delivers from, to, cc, bcc, reply-to, subject, text and html to the SMTP server', async () => {
      const yields = await send({
        from: 'Ops <ops@example.com>',
        to: ['ann@example.com', 'Bob <bob@example.com>'],
        cc: 'carol@example.com',
        bcc: ['dave@example.com'],
        reply_to: 'support@example.com',
        subject: 'Deploy finished',
        body: 'The deploy of app finished.',
        html: '<p>The deploy of <b>app</b> finished.</p>',
      });
      const mail = smtp.received.at(-1)!;
      expect(mail.mailFrom).toBe('ops@example.com');
      expect(mail.rcptTo.sort()).toEqual(['ann@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']);
      expect(mail.headers).toMatchObject({
        from: 'Ops <ops@example.com>',
        to: 'ann@example.com, Bob <bob@example.com>',
        cc: 'carol@example.com',
        'reply-to': 'support@example.com',
        subject: 'Deploy finished',
      });
      expect(mail.headers.bcc).toBeUndefined();
      expect(mail.headers['content-type']).toContain('multipart/alternative');
      expect(mail.raw).toContain('The deploy of app finished.');
      expect(mail.raw).toContain('<p>The deploy of <b>app</b> finished.</p>');
      expect(yields).toEqual([['message_id', mail.headers['message-id']]]);
    });

    it('takes the sender from the credential when the node gives none', async () => {
      await send({});
      expect(smtp.received.at(-1)!.headers.from).toBe('Trellis <bot@example.com>');
    });

    it('uses the admitted system default (default:smtp, from SMTP_URL) when the node maps no credential', async () => {
      const url = `smtp://mailer:s3cret@127.0.0.1:${smtp.port}?from=env-bot@example.com`;
      await send(
        { subject: 'from env' },
        { credentials: {}, systemDefaults: { smtp: { name: 'default:smtp', provider: 'smtp', type: 'smtp', fields: { url } } } },
      );
      expect(smtp.received.at(-1)!.headers).toMatchObject({ subject: 'from env', from: 'env-bot@example.com' });
    });

    it('says the server refused the username and password, without the password', async () => {
      const harness = blockHarness({ credentials: { smtp: smtpCredential({ password: 'wrong-pass' }) } });
      const error = await rejection(harness.run(emailSendBlock, { to: 'ann@example.com', subject: 'x', body: 'x' }));
      await harness.close();
      expect(error.code).toBe('EMAIL_AUTH_FAILED');
      expect(error.message).toContain('refused the username and password of "team-smtp"');
      expect(error.message).toContain('535');
      expect(error.message).not.toContain('wrong-pass');
    });

    it('says the server refused the recipient', async () => {
      smtp.refuse.add('ghost@example.com');
      const error = await rejection(send({ to: 'ghost@example.com' }));
      expect(error.code).toBe('EMAIL_REJECTED');
      expect(error.message).toContain('User unknown');
    });

    it('refuses a message with no body and no sender', async () => {
      expect((await rejection(send({ body: undefined }))).message).toContain('give a text body, an html body, or both');
      const harness = blockHarness({ credentials: { smtp: smtpCredential({ from: undefined }) } });
      const error = await rejection(harness.run(emailSendBlock, { to: 'ann@example.com', subject: 'x', body: 'x' }));
      await harness.close();
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('store a from address in the SMTP credential "team-smtp"');
    });

    it('applies the private-address policy to the SMTP host', async () => {
      const before = smtp.received.length;
      const error = await rejection(send({}, { settings: { allowPrivateAddresses: false } }));
      expect(error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(smtp.received.length).toBe(before);
    });

    it('says when the SMTP server cannot be reached', async () => {
      const gone = await startSmtpPeer();
      await gone.close();
      const harness = blockHarness({ credentials: { smtp: smtpCredential({ port: String(gone.port) }) } });
      const error = await rejection(harness.run(emailSendBlock, { to: 'ann@example.com', subject: 'x', body: 'x' }));
      await harness.close();
      expect(error.code).toBe('EMAIL_UNREACHABLE');
      expect(error.message).toContain(`127.0.0.1:${gone.port}`);
    });

    it('stops promptly when the run is aborted mid-send', async () => {
      smtp.hangOnData = true;
      const controller = new AbortController();
      const before = smtp.dataStarted;
      const pending = send({}, { signal: controller.signal });
      await waitFor(
        () => smtp.dataStarted,
        (n) => n > before,
        { what: 'the message data to start' },
      );
      controller.abort();
      expect((await rejection(pending)).code).toBe('CANCELLED');
    });
  });

  describe('smtpFieldsFromUrl', () => {
    it('reads host, port, TLS, user, password and from', () => {
      expect(smtpFieldsFromUrl('smtps://me%40x.com:p%40ss@mail.example.com?from=bot@x.com')).toEqual({
        host: 'mail.example.com',
        port: '465',
        secure: 'true',
        username: 'me@x.com',
        password: 'p@ss',
        from: 'bot@x.com',
      });
      expect(smtpFieldsFromUrl('smtp://mail.example.com')).toEqual({ host: 'mail.example.com', port: '587', secure: 'false' });
    });

    it('explains a URL that is not an SMTP URL', () => {
      expect(() => smtpFieldsFromUrl('https://mail.example.com')).toThrow('smtp:// or smtps://');
      expect(() => smtpFieldsFromUrl('mail.example.com')).toThrow('not a URL');
    });
  });
});
