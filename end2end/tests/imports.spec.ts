import { test } from '@playwright/test';
import { DESKTOP, PHONE, expect, hydrated, login, screenshot } from './helpers';

// The administrator imports two new students of the demo school's homeroom 201: a first file
// with mistakes shows its problems and cannot be confirmed, the corrected file is imported,
// and importing it again changes nothing.

/** Letter codes of the first character of a national ID. */
const LETTER_CODES: Record<string, number> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};

/** Completes a letter and 8 digits with the check digit of a citizen's national ID. */
function nationalId(prefix: string): string {
  const code = LETTER_CODES[prefix[0]];
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let index = 1; index <= 8; index += 1) sum += Number(prefix[index]) * (9 - index);
  return `${prefix}${(10 - (sum % 10)) % 10}`;
}

const first = nationalId('E12233445');
const second = nationalId('F22233445');
const wrongDigit = `${second.slice(0, 9)}${(Number(second[9]) + 1) % 10}`;

const header = '班級,座號,學號,姓名,身分證字號,出生日期,電子郵件,手機';
const badFile = [
  header,
  `201,36,112901,林新生,${first},0970315,,0912-345-678`,
  `201,37,112902,陳轉學,${wrongDigit},97/13/01,chen@,0812345678`,
  `209,38,112903,王無班,${nationalId('G12233445')},2008-03-15,,`,
].join('\r\n');
const goodFile = [
  header,
  `201,36,112901,林新生,${first},0970315,,0912-345-678`,
  `201,37,112902,陳轉學,${second},97/08/01,chen@school.example.tw,`,
].join('\r\n');

function csv(name: string, text: string) {
  // With a byte order mark, as Excel saves "CSV UTF-8".
  return { name, mimeType: 'text/csv', buffer: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]) };
}

test('an administrator previews, fixes and imports a students file', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await login(page, 'admin');
  await page.goto('/admin');
  await page.getByRole('link', { name: /匯入/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: '匯入' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText(/資料會匯入目前學期 113學年度第1學期/)).toBeVisible();

  // The kind decides the listed columns and the templates.
  await page.getByLabel('教職員').check();
  await expect(page.getByRole('listitem').filter({ hasText: '教職員編號' })).toBeVisible();
  await page.getByLabel('學生', { exact: true }).check();
  await expect(page.getByRole('listitem').filter({ hasText: '身分證字號' })).toBeVisible();
  const template = await page.request.get(await page.getByRole('link', { name: 'Excel 範本' }).getAttribute('href') ?? '');
  expect(template.status()).toBe(200);
  expect(template.headers()['content-disposition']).toContain('attachment');

  // A file with mistakes: every problem is listed, and nothing can be confirmed.
  await page.getByLabel(/檔案/).setInputFiles(csv('學生名冊.csv', badFile));
  await page.getByRole('button', { name: '預覽' }).click();
  const problems = page.getByRole('table', { name: /錯誤/ });
  await expect(page.getByRole('heading', { name: '錯誤（5 筆）' })).toBeVisible();
  await expect(page.getByText('共 3 列：新增 1、更新 0、不變 0、有錯誤 2。')).toBeVisible();
  await expect(problems.getByRole('row').filter({ hasText: '檢查碼不符' })).toContainText(`${wrongDigit.slice(0, 6)}****`);
  await expect(problems.getByRole('row').filter({ hasText: '無法辨識為日期' })).toContainText('97/13/01');
  await expect(problems.getByRole('row').filter({ hasText: '電子郵件「chen@」' })).toBeVisible();
  await expect(problems.getByRole('row').filter({ hasText: '手機「0812345678」' })).toBeVisible();
  await expect(problems.getByRole('row').filter({ hasText: '找不到 113 學年度的班級「209」' })).toBeVisible();
  await expect(page.getByText(wrongDigit)).toHaveCount(0);
  await expect(page.getByRole('button', { name: '確認匯入' })).toHaveCount(0);
  await screenshot(page, testInfo, 'admin-import-problems');
  await page.setViewportSize(PHONE);
  await screenshot(page, testInfo, 'admin-import-problems');
  await page.setViewportSize(DESKTOP);

  // The corrected file: a clean preview, then the import.
  await page.getByLabel(/檔案/).setInputFiles(csv('學生名冊.csv', goodFile));
  await expect(page.getByRole('heading', { name: /錯誤/ })).toHaveCount(0);
  await page.getByRole('button', { name: '預覽' }).click();
  await expect(page.getByText('共 2 列：新增 2、更新 0、不變 0、有錯誤 0。')).toBeVisible();
  await expect(page.getByText('沒有發現錯誤，可以匯入。')).toBeVisible();
  await expect(page.getByRole('table', { name: '資料預覽' }).getByRole('row').filter({ hasText: '112901' })).toContainText(`${first.slice(0, 6)}****`);
  await screenshot(page, testInfo, 'admin-import-preview');
  await page.setViewportSize(PHONE);
  await screenshot(page, testInfo, 'admin-import-preview');
  await page.getByRole('button', { name: '確認匯入' }).click();
  await expect(page.getByText('匯入完成：新增 2、更新 0、不變 0。')).toBeVisible();
  await screenshot(page, testInfo, 'admin-import-done');
  await page.setViewportSize(DESKTOP);
  await screenshot(page, testInfo, 'admin-import-done');

  // The same file again changes nothing.
  await page.getByLabel(/檔案/).setInputFiles(csv('學生名冊.csv', goodFile));
  await page.getByRole('button', { name: '預覽' }).click();
  await expect(page.getByText('共 2 列：新增 0、更新 0、不變 2、有錯誤 0。')).toBeVisible();
  await page.getByRole('button', { name: '確認匯入' }).click();
  await expect(page.getByText('匯入完成：新增 0、更新 0、不變 2。')).toBeVisible();

  // Each import is in the audit log with its counts.
  await page.goto('/admin/audit');
  await hydrated(page);
  await expect(page.getByRole('row').filter({ hasText: '匯入學生' }).filter({ hasText: '新增 2、更新 0、不變 0' })).toBeVisible();
  await context.close();
});

test('a teacher cannot open the import page', async ({ browser }) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await login(page, 't001');
  await page.goto('/admin/imports');
  await expect(page.getByText('你的帳號沒有使用這項功能的權限。')).toBeVisible();
  await expect(page.getByRole('button', { name: '預覽' })).toHaveCount(0);
  const response = await page.request.get('/imports/templates/students.csv');
  expect(response.status()).toBe(403);
  await context.close();
});
