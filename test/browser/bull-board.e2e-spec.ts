import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { ServiceProcess, startService, TEST_OUTPUT_DIR } from '../support/service-process';
import { createTestDatabase, SHARED_REDIS_URL, TestDatabase, testQueuePrefix } from '../support/test-isolation';
import { CHROMIUM, CHROMIUM_HEADLESS_ARGS } from '../support/chromium';

const USER = 'board-admin';
const PASSWORD = 'board-test-password';
const README_IMAGE = resolve(__dirname, '..', '..', 'docs', 'img', 'bull-board.png');

/**
 * Bull Board in a real browser (Debian's chromium through playwright-core). Only the chat runs: with
 * no agent, the CREATE job a contact invitation publishes stays in agent-commands, where the board
 * must show it.
 */
describe('Bull Board at /queues in chromium', () => {
  const label = 'browser-board';
  let db: TestDatabase;
  let chat: ServiceProcess;
  const profiles: string[] = [];
  let corrId: string;

  /** A fresh browser profile each time (--user-data-dir), so no credentials are remembered. */
  async function browser(credentials?: { username: string; password: string }): Promise<BrowserContext> {
    const dir = mkdtempSync(join(tmpdir(), 'gc-chromium-'));
    profiles.push(dir);
    return chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_HEADLESS_ARGS,
      viewport: { width: 1280, height: 800 },
      ...(credentials ? { httpCredentials: credentials } : {}),
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase(label);
    chat = await startService('chat', `${label}-chat`, await freePort(), {
      REDIS_URL: SHARED_REDIS_URL,
      QUEUE_PREFIX: testQueuePrefix(label),
      DATABASE_URL: db.url,
      BULL_BOARD_USER: USER,
      BULL_BOARD_PASSWORD: PASSWORD,
    });
    const user = await fetch(`${chat.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'Alice' }) });
    const { userId, token } = (await user.json()) as { userId: string; token: string };
    const bearer = { authorization: `Bearer ${token}` };
    expect((await fetch(`${chat.url}/users/${userId}/invitations`, { method: 'POST', headers: bearer })).status).toBe(202);
    const commands = (await (await fetch(`${chat.url}/users/${userId}/commands`, { headers: bearer })).json()) as Array<{ corrId: string }>;
    corrId = commands[0].corrId;
  });

  afterAll(async () => {
    await chat?.stop();
    await db?.drop();
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses no credentials and wrong credentials with 401 and a basic-auth challenge', async () => {
    const anonymous = await browser();
    try {
      // Navigating without credentials: chromium gets the challenge and, having nothing to answer, gives up.
      await expect((await anonymous.newPage()).goto(`${chat.url}/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
      // From a page of the same origin, as the board's own script calls its JSON API.
      const page = await anonymous.newPage();
      await page.goto(`${chat.url}/health`);
      const answer = (path: string, authorization?: string) =>
        page.evaluate(
          async ([url, auth]) => {
            // credentials 'omit': the 401 comes back to the script instead of raising the browser's login prompt.
            const res = await fetch(url, { credentials: 'omit', headers: auth ? { authorization: auth } : {} });
            return { status: res.status, challenge: res.headers.get('www-authenticate') };
          },
          [`${chat.url}${path}`, authorization] as const,
        );
      const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      for (const path of ['/queues', '/queues/api/queues']) {
        for (const auth of [undefined, basic(USER, 'wrong'), basic('someone', PASSWORD), 'Bearer x']) {
          const got = await answer(path, auth);
          expect({ path, auth, ...got }).toEqual({ path, auth, status: 401, challenge: expect.stringMatching(/^Basic realm="Bull Board"/) });
        }
        expect((await answer(path, basic(USER, PASSWORD))).status).toBe(200);
      }
    } finally {
      await anonymous.close();
    }
    // Logging in with a wrong password: the board answers 401 and the browser shows that.
    const wrong = await browser({ username: USER, password: 'wrong' });
    try {
      const page = await wrong.newPage();
      const res = await page.goto(`${chat.url}/queues`);
      expect(res?.status()).toBe(401);
      expect(await page.content()).not.toContain('agent-commands');
    } finally {
      await wrong.close();
    }
  });

  it('logs in, shows agent-commands and agent-events, and the queued CREATE job (prioritized)', async () => {
    const context = await browser({ username: USER, password: PASSWORD });
    try {
      const page = await context.newPage();
      const res = await page.goto(`${chat.url}/queues`);
      expect(res?.status()).toBe(200);
      await page.getByText('agent-commands').first().waitFor({ timeout: 20_000 });
      await page.getByText('agent-events').first().waitFor({ timeout: 20_000 });
      mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: join(TEST_OUTPUT_DIR, 'bull-board-queues.png'), fullPage: true });

      // A queued CREATE waits as 'prioritized' (depth-first: taken after every plain waiting job, command-order.ts).
      await page.goto(`${chat.url}/queues/queue/agent-commands?status=prioritized`);
      await eventually(async () => (await page.getByText(corrId).count()) > 0, { timeoutMs: 20_000, what: `job ${corrId} on the board` });
      await page.getByText('CREATE').first().waitFor({ timeout: 10_000 });
      await page.screenshot({ path: join(TEST_OUTPUT_DIR, 'bull-board-job.png'), fullPage: false });
      // The README's image is committed; rewritten only when asked (or missing), so a test run leaves git clean.
      if (process.env.UPDATE_DOCS_IMAGES === '1' || !existsSync(README_IMAGE)) {
        mkdirSync(resolve(README_IMAGE, '..'), { recursive: true });
        await page.screenshot({ path: README_IMAGE, fullPage: false });
      }
    } finally {
      await context.close();
    }
  });
});
