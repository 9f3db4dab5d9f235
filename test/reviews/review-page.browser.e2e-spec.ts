// The signed review link in a real browser (release-2.md section 3): headless Chromium (Debian's
// `chromium`, driven by playwright-core) opens the link from the reviewer's mail, sees the title, the
// Markdown body and the data, and decides with a click on Approve (a comment typed in the form goes with
// it). Opening the page decides nothing; the execution resumes with the decision. Skips, saying so, where
// /usr/bin/chromium is absent (apt-get install chromium).
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { startSmtpPeer, type SmtpPeer } from '../blocks/peers/smtp-peer.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { link, node, saveAgent } from '../executions/graphs.fixture.js';
import { configFolder, type ConfigFolder } from '../notifications/notify-helpers.js';

// TRELLIS_TEST_CHROMIUM points elsewhere (or at nothing, to see the skip).
const CHROMIUM = process.env.TRELLIS_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ADMIN = 'test-admin-key-review-page-0123456789';
const PUBLIC_URL = 'https://trellis.example.test';
const present = existsSync(CHROMIUM);
const suite = present ? describe : describe.skip;
if (!present) process.stderr.write(`review-page.browser.e2e-spec: skipped, ${CHROMIUM} is absent (install Debian's chromium: apt-get install -y chromium)\n`);

suite(`the review link page in headless Chromium${present ? '' : ` (skipped: ${CHROMIUM} is absent; apt-get install -y chromium)`}`, () => {
  let t: TestApp;
  let smtp: SmtpPeer;
  let folder: ConfigFolder;
  let browser: Browser;
  const api = () => request(t.http);

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    folder = configFolder(
      '',
      'mail:\n  provider: smtp\n  type: smtp\n  env: {host: RP_SMTP_HOST, port: RP_SMTP_PORT, username: RP_SMTP_USER, password: RP_SMTP_PASS, from: RP_SMTP_FROM}\n',
    );
    t = await createTestApp({
      label: 'reviewpage',
      listen: true,
      overrides: { notifications: { smtp: 'mail' }, server: { public_url: PUBLIC_URL } },
      env: {
        TRELLIS_ADMIN_API_KEY: ADMIN,
        TRELLIS_CONFIG_DIR: folder.dir,
        RP_SMTP_HOST: smtp.host,
        RP_SMTP_PORT: String(smtp.port),
        RP_SMTP_USER: 'mailer',
        RP_SMTP_PASS: 's3cret',
        RP_SMTP_FROM: 'Trellis <bot@example.com>',
      },
    });
    const res = await api().post('/api/admin/users').set('X-API-Key', ADMIN).send({ handle: 'carol', email: 'carol@example.com' });
    expect(res.status).toBe(201);
    await saveAgent(t.dataSource, {
      name: 'refund',
      nodes: {
        order: node('input', { name: 'order', type: 'object' }),
        review: node('human.review', { title: 'Refund order A-17?', body: 'The customer asks for a **full** refund.', reviewers: { users: ['carol'] } }),
        approved: node('output', { name: 'approved' }),
        decision: node('output', { name: 'decision' }),
      },
      links: [link('order.value', 'review.data'), link('review.approved', 'approved.value'), link('review.decision', 'decision.value')],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
    folder?.remove();
  });

  /** The link in carol's mail, pointed at this test's server instead of server.public_url. */
  async function linkInMail(reviewId: string): Promise<string> {
    const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const found = await waitFor(
      () => {
        for (const mail of smtp.received) {
          const match = new RegExp(`${PUBLIC_URL}(/reviews/${reviewId}\\?token=[A-Za-z0-9_-]+)`).exec(decoded(mail.raw));
          if (match && mail.rcptTo.includes('carol@example.com')) return match[1]!;
        }
        return null;
      },
      (path) => path !== null,
      { what: "carol's review mail", timeoutMs: 15_000 },
    );
    const { port } = t.http.address() as AddressInfo;
    return `http://127.0.0.1:${port}${found!}`;
  }

  it('shows the title, body and data, decides nothing on opening, and approves on a click with a comment', async () => {
    const started = await api()
      .post('/api/graphs/refund/execute')
      .set('X-API-Key', ADMIN)
      .send({ inputs: { order: { id: 'A-17', total: 42.5 } } });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    const [review] = await waitFor(
      () => t.dataSource.query(`SELECT id, status FROM reviews WHERE execution_id = $1`, [id]) as Promise<Array<{ id: string; status: string }>>,
      (rows) => rows.length > 0,
      { what: 'the review row', timeoutMs: 15_000 },
    );
    const url = await linkInMail(review!.id);

    const page = await browser.newPage();
    try {
      const opened = await page.goto(url);
      expect(opened?.status()).toBe(200);
      expect(await page.title()).toBe('Refund order A-17?');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Refund order A-17?');
      expect(await page.locator('section[aria-label="Details"] strong').textContent()).toBe('full');
      const data = JSON.parse((await page.locator('pre code').textContent()) ?? 'null') as unknown;
      expect(data).toEqual({ id: 'A-17', total: 42.5 });
      expect(await page.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'Reject' }).isVisible()).toBe(true);
      // Opening the page (as a link scanner would) decided nothing.
      expect((await t.dataSource.query(`SELECT status FROM reviews WHERE id = $1`, [review!.id])) as unknown[]).toEqual([{ status: 'pending' }]);

      await page.getByLabel('Comment (optional)').fill('refund approved by phone');
      const [answer] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Approve' }).click()]);
      expect(answer?.status()).toBe(200);
      expect(await page.getByRole('status').textContent()).toBe('The review is approved.');
    } finally {
      await page.close();
    }

    const done = await waitFor(
      async () => (await api().get(`/api/executions/${id}`).set('X-API-Key', ADMIN)).body as { status: string; outputs: Record<string, unknown[]> },
      (e) => e.status === 'COMPLETED',
      { what: 'the execution to resume and complete', timeoutMs: 20_000 },
    );
    expect(done.outputs.approved).toEqual([{ id: 'A-17', total: 42.5 }]);
    expect(done.outputs.decision).toEqual([{ decision: 'approve', by: 'carol', at: expect.any(String), comment: 'refund approved by phone' }]);
  }, 60_000);
});
