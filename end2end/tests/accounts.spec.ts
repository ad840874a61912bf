import { test } from '@playwright/test';
import { DESKTOP, PHONE, expect, hydrated, login, screenshot } from './helpers';

// 資訊組 resets a student's password to a one-time code; the student logs in with it, is held
// on the password page until choosing a new password, and the rules explain a rejected one.
test('a reset student must choose a new password at the first login', async ({ browser }, testInfo) => {
  const admin = await browser.newContext({ viewport: DESKTOP });
  const adminPage = await admin.newPage();
  await login(adminPage, 'admin');
  await adminPage.goto('/admin');
  await adminPage.getByRole('link', { name: /帳號管理/ }).click();
  await expect(adminPage.getByRole('heading', { level: 1, name: '帳號管理' })).toBeVisible();
  await hydrated(adminPage);
  await adminPage.getByLabel('姓名、帳號、學號或教職員編號').fill('112050');
  await adminPage.getByRole('button', { name: '搜尋' }).click();
  const row = adminPage.getByRole('row').filter({ hasText: '112050' });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: '發給一次性密碼' }).click();
  const issued = adminPage.locator('.issued');
  await expect(issued).toContainText('已重設');
  const code = (await issued.locator('code.code').innerText()).trim();
  expect(code).toMatch(/^[2-9a-z]{10}$/);
  await screenshot(adminPage, testInfo, 'admin-accounts');
  await adminPage.setViewportSize(PHONE);
  await screenshot(adminPage, testInfo, 'admin-accounts-phone');
  await admin.close();

  const student = await browser.newContext({ viewport: PHONE });
  const page = await student.newPage();
  await page.goto('/login');
  await hydrated(page);
  await page.getByLabel('帳號').fill('112050');
  await page.getByLabel('密碼').fill(code);
  await page.getByRole('button', { name: '登入' }).click();
  await page.waitForURL('**/account/password');
  await hydrated(page);
  await expect(page.getByText('這是第一次登入')).toBeVisible();
  // Other pages lead back here until the password is changed.
  await page.goto('/student/outcomes');
  await page.waitForURL('**/account/password');
  await hydrated(page);

  await page.getByLabel('初始密碼（帳號單上的密碼）').fill(code);
  await page.getByLabel('新密碼', { exact: true }).fill('my112050pw');
  await page.getByLabel('再輸入一次新密碼').fill('my112050pw');
  await page.getByRole('button', { name: '變更密碼' }).click();
  await expect(page.getByText('新密碼不能包含帳號，請換一個。')).toBeVisible();
  await screenshot(page, testInfo, 'change-password-rejected');

  await page.getByLabel('新密碼', { exact: true }).fill('green-tea-window');
  await page.getByLabel('再輸入一次新密碼').fill('green-tea-window');
  await page.getByRole('button', { name: '變更密碼' }).click();
  await page.waitForURL('**/student/outcomes');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.setViewportSize(DESKTOP);
  await page.goto('/account/password');
  await hydrated(page);
  await screenshot(page, testInfo, 'change-password');
  await student.close();
});
