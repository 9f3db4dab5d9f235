// `email.send`: one message through SMTP (nodemailer), to the server of the `smtp` credential.
import { isIP } from 'node:net';
import { invalidPin } from '../../blocks.errors.js';
import { requireCredential } from '../../outbound/credentials.js';
import { resolveAllowed } from '../../outbound/host-resolver.js';
import { defineBlock, optional, Type } from '../../pins.js';
import { smtpSettings, translateSmtpError } from './smtp-settings.js';
import { blockErrors, OUTBOUND_ERRORS, EMAIL_ERRORS } from '../../block-errors.catalog.js';

const ID = 'email.send';
const ADDRESSES = Type.Union([Type.String({ minLength: 3 }), Type.Array(Type.String({ minLength: 3 }), { minItems: 1 })], {
  description: 'One address or a list; "Name <address>" works too.',
});

export const emailSendBlock = defineBlock({
  id: ID,
  description:
    'Sends an email through the SMTP server of the `smtp` credential (SMTP_URL by default) and yields its Message-ID. Give `body` (text), `html`, or both. ' +
    'Side effects: a retried or re-run attempt sends the email again.',
  category: 'communication',
  inputs: {
    from: optional(Type.String({ minLength: 3, description: "The sender; defaults to the credential's from." })),
    to: ADDRESSES,
    cc: optional(ADDRESSES),
    bcc: optional(ADDRESSES),
    reply_to: optional(Type.String({ minLength: 3, description: 'Where replies go.' })),
    subject: Type.String({ description: 'The subject line.' }),
    body: optional(Type.String({ description: 'The plain-text body.' })),
    html: optional(Type.String({ description: 'The HTML body.' })),
  },
  outputs: {
    message_id: Type.String({ description: 'The Message-ID header of the sent email.' }),
  },
  credentials: {
    smtp: {
      provider: 'smtp',
      types: ['smtp'],
      systemDefaultEnv: 'SMTP_URL',
      description: 'The SMTP server: host, port, secure, username, password, from; SMTP_URL (smtp://user:pass@host:587?from=...) by default.',
    },
  },
  cost: 1,
  sideEffects: true,
  errors: blockErrors('CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS, ...EMAIL_ERRORS),
  async *run(inputs, context) {
    if (inputs.body === undefined && inputs.html === undefined) throw invalidPin(ID, 'body', 'give a text body, an html body, or both');
    const credential = requireCredential(context, {
      blockId: ID,
      field: 'smtp',
      types: ['smtp'],
      systemDefault: 'smtp',
    });
    const smtp = smtpSettings(credential, ID);
    const from = inputs.from ?? smtp.from;
    if (!from) throw invalidPin(ID, 'from', `give the sender, or store a from address in the SMTP credential "${credential.name}"`);

    // The SMTP host is checked like any outbound address, and the connection goes to the checked address
    // (TLS still verifies the certificate against the host name).
    const address = context.settings.allowPrivateAddresses ? smtp.host : (await resolveAllowed(smtp.host, { allowPrivateAddresses: false }))[0]!.address;
    const where = { host: smtp.host, port: smtp.port, credentialName: credential.name };
    // nodemailer loads on the first send: the block library (and `trellis validate`) does not load it.
    const { createTransport } = await import('nodemailer');
    const transport = createTransport({
      host: address,
      port: smtp.port,
      secure: smtp.secure,
      ...(isIP(smtp.host) ? {} : { servername: smtp.host, tls: { servername: smtp.host } }),
      ...(smtp.username ? { auth: { user: smtp.username, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
    try {
      const info = await transport.sendMail({
        from,
        to: inputs.to,
        ...(inputs.cc !== undefined ? { cc: inputs.cc } : {}),
        ...(inputs.bcc !== undefined ? { bcc: inputs.bcc } : {}),
        ...(inputs.reply_to !== undefined ? { replyTo: inputs.reply_to } : {}),
        subject: inputs.subject,
        ...(inputs.body !== undefined ? { text: inputs.body } : {}),
        ...(inputs.html !== undefined ? { html: inputs.html } : {}),
        signal: context.signal,
      });
      if (info.rejected?.length) {
        context.logger.warn({ block: ID, rejected: info.rejected.map(String) }, 'the SMTP server refused some recipients; the others got the email');
      }
      yield ['message_id', info.messageId] as const;
    } catch (error) {
      throw translateSmtpError(error, where, context.signal);
    } finally {
      transport.close();
    }
  },
});
