import { test } from '@playwright/test';
import { PHONE, expect, hydrated, login, pdfFile, screenshot } from './helpers';

test.use({ viewport: PHONE });

test('upload form names a bad file and stores nothing', async ({ page }, testInfo) => {
  await login(page, '112061');
  await page.goto('/student/outcomes/new');
  await hydrated(page);

  // Sending without a course or a 簡述 gets the page's own messages, not the browser's.
  await page.getByRole('button', { name: '上傳', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('請選擇這件學習成果所屬的課程');

  // An executable renamed .pdf is refused by its content, before it is sent.
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(4096)]);
  await page.getByLabel(/^文件檔/).setInputFiles({ name: '期末報告.pdf', mimeType: 'application/pdf', buffer: exe });
  await expect(page.getByRole('alert').filter({ hasText: '「期末報告.pdf」的內容是 EXE' })).toBeVisible();

  // A file one byte over 4 MB.
  const big = Buffer.concat([pdfFile('big'), Buffer.alloc(4 * 1024 * 1024 - pdfFile('big').length + 1, 0x20)]);
  await page.getByLabel(/^文件檔/).setInputFiles({ name: '太大的報告.pdf', mimeType: 'application/pdf', buffer: big });
  await expect(page.getByRole('alert').filter({ hasText: '「太大的報告.pdf」超過文件檔的上限 4 MB' })).toBeVisible();
  await screenshot(page, testInfo, 'upload-refused-file');

  // A 101-character summary shows in red and is refused.
  await page.getByLabel(/^文件檔/).setInputFiles({ name: '報告.pdf', mimeType: 'application/pdf', buffer: pdfFile('ok') });
  await page.getByLabel(/^課程/).selectOption({ index: 1 });
  await page.getByLabel(/^簡述/).fill('字'.repeat(101));
  await expect(page.getByText('101 / 100')).toBeVisible();
  await page.getByRole('button', { name: '上傳', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: '簡述有 101 字，超過上限 100 字' })).toBeVisible();
  await screenshot(page, testInfo, 'upload-summary-too-long');

  await page.goto('/student/outcomes');
  await hydrated(page);
  await expect(page.getByText('待認證 0 件 · 通過 0 件 · 不通過 0 件')).toBeVisible();
  await expect(page.getByText('這學期還沒有上傳學習成果。')).toBeVisible();
});
