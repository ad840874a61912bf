import { test } from '@playwright/test';
import { DEMO_PASSWORD, expect, pdfFile } from './helpers';

// The same server without the page script: logging in, reading and filtering still work.

test('student logs in and reads outcomes without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('帳號').fill('112002');
  await page.getByLabel('密碼').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登入' }).click();
  await page.waitForURL(/\/student\/outcomes$/);
  await expect(page.getByRole('heading', { name: '我的學習成果' })).toBeVisible();
  await expect(page.getByText(/待認證 \d+ 件 · 通過 \d+ 件 · 不通過 \d+ 件/)).toBeVisible();
});

test('teacher filters the certification list without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('帳號').fill('t002');
  await page.getByLabel('密碼').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登入' }).click();
  await page.waitForURL(/\/teacher\/certify$/);
  await page.getByLabel('狀態', { exact: true }).selectOption({ label: '已發佈' });
  await page.getByRole('button', { name: '篩選' }).click();
  await page.waitForURL(/state=published/);
  await expect(page.getByText(/顯示 1–\d+ \/ 共 \d+ 筆|共 0 筆/)).toBeVisible();
});

test('student uploads and submits without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('帳號').fill('112062');
  await page.getByLabel('密碼').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登入' }).click();
  await page.waitForURL(/\/student\/outcomes$/);
  await page.goto('/student/outcomes/new');
  await page.getByLabel(/^課程/).selectOption({ index: 1 });
  await page.getByLabel(/^文件檔/).setInputFiles({ name: '沒有程式.pdf', mimeType: 'application/pdf', buffer: pdfFile('no script') });
  await page.getByLabel(/^簡述/).fill('不用 JavaScript 也能上傳');
  await page.getByRole('button', { name: '上傳', exact: true }).click();
  await page.waitForURL(/\/student\/outcomes\?uploaded=/);
  const row = page.getByRole('row').filter({ hasText: '不用 JavaScript 也能上傳' });
  await expect(row.getByText('草稿', { exact: true })).toBeVisible();
  await row.getByRole('button', { name: /^送出認證/ }).click();
  await page.waitForURL(/\/student\/outcomes/);
  await expect(page.getByRole('row').filter({ hasText: '不用 JavaScript 也能上傳' }).getByText('待認證', { exact: true })).toBeVisible();
});
