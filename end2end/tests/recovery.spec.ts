import * as fs from 'node:fs';
import * as path from 'node:path';
import { test, type Page } from '@playwright/test';
import { DESKTOP, PHONE, expect, hydrated, screenshot } from './helpers';

// Without an SMTP server or SMS gateway the demo writes messages to outbox files in its data
// directory; these tests read them there.
const dataDir = () => process.env.LICHENG_E2E_DATA ?? '';
const NEW_PASSWORD = 'Lantern-harbor-58';

/** Waits for an e-mail to `address` in the mail outbox and returns its decoded text. */
async function mailTo(address: string): Promise<string> {
  const dir = path.join(dataDir(), 'outbox', 'mail');
  for (let attempt = 0; attempt < 100; attempt++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.eml')) : [];
    for (const name of files) {
      const raw = fs.readFileSync(path.join(dir, name), 'utf8');
      if (raw.includes(address)) return decodeBody(raw);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no e-mail to ${address} in ${dir}`);
}

function decodeBody(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).toLowerCase();
  const body = raw.slice(split + 4);
  if (head.includes('content-transfer-encoding: base64')) {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  if (head.includes('content-transfer-encoding: quoted-printable')) {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** Waits for a text to `number` in the SMS outbox and returns its 6-digit code. */
async function smsCode(number: string): Promise<string> {
  const file = path.join(dataDir(), 'outbox', 'sms.jsonl');
  for (let attempt = 0; attempt < 100; attempt++) {
    if (fs.existsSync(file)) {
      const line = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((entry) => entry.includes(number))
        .pop();
      if (line) {
        const match = /驗證碼 (\d{6})/.exec(JSON.parse(line).text);
        if (match) return match[1];
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no text to ${number} in ${file}`);
}

async function loginWith(page: Page, account: string, password: string): Promise<void> {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('帳號').fill(account);
  await page.getByLabel('密碼', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登入' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

test('忘記密碼: the e-mailed link names the account and sets a new password', async ({ page }, testInfo) => {
  await page.setViewportSize(PHONE);
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: '忘記帳號或密碼？' }).click();
  await expect(page.getByRole('heading', { name: '忘記帳號或密碼' })).toBeVisible();
  await hydrated(page);

  await page.getByLabel('電子郵件或手機號碼').fill('02-2345-6789');
  await page.getByRole('button', { name: '寄出' }).click();
  await expect(page.getByText('「02-2345-6789」不是電子郵件，也不是手機號碼')).toBeVisible();

  await page.getByLabel('電子郵件或手機號碼').fill('112068@student.demo.example');
  await page.getByRole('button', { name: '寄出' }).click();
  await expect(page.getByText('如果有帳號登記了 112068@student.demo.example')).toBeVisible();
  await screenshot(page, testInfo, 'recover-email-sent');

  const text = await mailTo('112068@student.demo.example');
  expect(text).toContain('你的帳號：112068');
  const link = /http:\/\/\S+\/account\/reset\?token=[0-9a-f]{32}/.exec(text);
  expect(link).not.toBeNull();
  const url = new URL(link![0]);
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await page.goto(url.pathname + url.search);
    await hydrated(page);
    await expect(page.locator('.login-name')).toHaveText('112068');
    await screenshot(page, testInfo, 'reset-form');
  }
  await page.getByLabel('新密碼', { exact: true }).fill('short');
  await page.getByLabel('再輸入一次新密碼').fill('short');
  await page.getByRole('button', { name: '設定新密碼' }).click();
  await expect(page.getByText('新密碼只有 5 個字元，至少需要 8 個。')).toBeVisible();
  await page.getByLabel('新密碼', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('再輸入一次新密碼').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: '設定新密碼' }).click();
  await expect(page.getByText('密碼已重設，請用新密碼登入。')).toBeVisible();
  await screenshot(page, testInfo, 'reset-done');

  await page.goto(url.pathname + url.search);
  await expect(page.getByText('這個重設密碼的連結已失效')).toBeVisible();
  await loginWith(page, '112068', NEW_PASSWORD);
  await expect(page).toHaveURL(/\/student\/outcomes/);
});

test('忘記密碼: the SMS code and a new password on the same page', async ({ page }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  await page.goto('/account/recover');
  await hydrated(page);
  await page.getByLabel('電子郵件或手機號碼').fill('0912-112-069');
  await page.getByRole('button', { name: '寄出' }).click();
  await expect(page.getByText('如果有帳號登記了 0912112069')).toBeVisible();
  const code = await smsCode('0912112069');
  await screenshot(page, testInfo, 'recover-sms-sent');

  await page.getByLabel('簡訊驗證碼（6 位數字）').fill(code === '000000' ? '111111' : '000000');
  await page.getByLabel('新密碼', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('再輸入一次新密碼').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: '設定新密碼' }).click();
  await expect(page.getByText('驗證碼不對或已過期')).toBeVisible();

  await page.getByLabel('簡訊驗證碼（6 位數字）').fill(code);
  await page.getByRole('button', { name: '設定新密碼' }).click();
  await expect(page.getByText('密碼已重設，請用新密碼登入。')).toBeVisible();
  await page.setViewportSize(PHONE);
  await screenshot(page, testInfo, 'recover-sms-done');
  await loginWith(page, '112069', NEW_PASSWORD);
  await expect(page).toHaveURL(/\/student\/outcomes/);
});
