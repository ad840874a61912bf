import { test } from '@playwright/test';
import { DESKTOP, PHONE, expect, hydrated, login, screenshot } from './helpers';

// The administrator starts a backup of the demo school and follows it until the backup and
// its restore drill have both succeeded.
test('an administrator backs up and sees the restore drill pass', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await login(page, 'admin');
  await page.goto('/admin');
  await page.getByRole('link', { name: /備份/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: '備份' })).toBeVisible();
  await hydrated(page);

  const lastBackup = page.locator('section').filter({ has: page.getByRole('heading', { name: '最近一次備份' }) });
  const lastDrill = page.locator('section').filter({ has: page.getByRole('heading', { name: '最近一次還原演練' }) });
  await page.getByRole('button', { name: '立即備份' }).click();
  // The page follows the run on its own, without a reload.
  await expect(lastDrill.getByText('成功')).toBeVisible({ timeout: 60_000 });
  await expect(lastBackup.getByText('成功')).toBeVisible();
  await expect(lastBackup.getByText(/^backup-\d{8}T\d{6}$/)).toBeVisible();
  await expect(lastBackup.getByText(/個檔案，共/)).toBeVisible();
  await expect(lastDrill.getByText(/個檔案全部比對相符/)).toBeVisible();
  await expect(page.getByRole('button', { name: '立即備份' })).toBeEnabled();
  await screenshot(page, testInfo, 'admin-backups');

  await page.setViewportSize(PHONE);
  await screenshot(page, testInfo, 'admin-backups-phone');
  await context.close();
});

test('a student cannot open the backup page', async ({ browser }) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await login(page, '112001');
  await page.goto('/admin/backups');
  await expect(page.getByText('你的帳號沒有使用這項功能的權限。')).toBeVisible();
  await expect(page.getByRole('button', { name: '立即備份' })).toHaveCount(0);
  await context.close();
});
