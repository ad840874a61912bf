import { expect, type Page, type TestInfo } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The password of every demo account (see the README). */
export const DEMO_PASSWORD = 'demo1234';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Waits until the page's script has taken over the server-rendered HTML. */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached', timeout: 30_000 });
}

/** Logs in on the login page and waits for the user's start page. */
export async function login(page: Page, account: string): Promise<void> {
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('帳號').fill(account);
  await page.getByLabel('密碼').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登入' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  await hydrated(page);
}

/** Saves a full-page screenshot as a test artifact, named after the step and the width. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  const file = path.join(testInfo.project.outputDir, 'screenshots', `${name}-${width}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(`${name}-${width}`, { path: file, contentType: 'image/png' });
}

/** Builds a small, valid one-page PDF whose page shows `text` (ASCII). */
export function pdfFile(text: string): Buffer {
  const content = `BT /F1 18 Tf 72 760 Td (${text.replace(/[()\\]/g, '')}) Tj ET\n`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}endstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(out));
    out += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Reads a real JPEG photo from the fixtures. */
export function jpegFile(): Buffer {
  return fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'photo.jpg'));
}

/** Returns the table row of the certification list that shows `text`. */
export function reviewRow(page: Page, text: string) {
  return page.getByRole('row').filter({ hasText: text });
}

/** Returns the link to the notifications, whose name carries the unread count. */
export function bell(page: Page, unread: number) {
  return page.getByRole('link', { name: unread > 0 ? `通知：${unread} 則未讀` : '通知', exact: true });
}

export { expect };
