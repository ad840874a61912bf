import { test } from '@playwright/test';
import { DESKTOP, PHONE, expect, hydrated, login, screenshot } from './helpers';

// The demo: 王怡君 (t001) teaches 國語文 and is 導師 of 201; 張志明 (t004) is 代理人 of 林雅婷's
// (t003) 數學A for two weeks from two days before the demo was created.

test('導師 switches role, reads the homeroom and prints a 歷程確認單', async ({ page }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  await login(page, 't001');
  const switcher = page.getByLabel('目前身分');
  await expect(switcher).toHaveValue('Teacher');
  await screenshot(page, testInfo, 'roles-teacher');

  await switcher.selectOption('HomeroomTeacher');
  await page.getByRole('button', { name: '切換' }).click();
  await page.waitForURL(/\/homeroom/);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: /201 班/ })).toBeVisible();
  await expect(page.getByRole('link', { name: '認證學習成果' })).toHaveCount(0);
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await screenshot(page, testInfo, 'homeroom');
  }

  // Acting as 導師, the teacher's certification functions are refused until switching back.
  const refused = await page.request.post('/api/review_page', {
    data: { query: { semester: null, state: 'All', homeroom: null, subject: null, page: { page: 1, per_page: 20 } } },
    headers: { 'content-type': 'application/json' },
  });
  expect(refused.status()).toBe(403);

  await page.getByRole('link', { name: '檢視 陳宇翔 的學習成果' }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: '201 班 1 號 112001 陳宇翔' })).toBeVisible();
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await screenshot(page, testInfo, 'homeroom-student');
  }
  await page.getByRole('link', { name: /歷程確認單/ }).first().click();
  await hydrated(page);
  await expect(page.getByText('學生簽名')).toBeVisible();
  await expect(page.getByText(/[A-Z][0-9]{9}/)).toHaveCount(0);
  await screenshot(page, testInfo, 'homeroom-sheet');
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, testInfo, 'homeroom-sheet-print');
  await page.emulateMedia({ media: 'screen' });

  await page.getByLabel('目前身分').selectOption('Teacher');
  await page.getByRole('button', { name: '切換' }).click();
  await page.waitForURL(/\/teacher\/certify/);
});

test('代理人 certifies the covered course and the course teacher sees the delegation', async ({ page }, testInfo) => {
  await page.setViewportSize(DESKTOP);
  await login(page, 't004');
  await page.goto('/delegations');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: '我代理的課程' })).toBeVisible();
  await expect(page.getByText('代理 林雅婷 老師').first()).toBeVisible();
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await screenshot(page, testInfo, 'delegations-delegate');
  }
  await page.goto('/teacher/certify');
  await hydrated(page);
  await expect(page.getByRole('row').filter({ hasText: '數學A' }).first()).toBeVisible();
  await screenshot(page, testInfo, 'certify-as-delegate');

  await login(page, 't003');
  await page.goto('/delegations');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: '我的課程與代理人' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: '張志明' }).first()).toBeVisible();
  await screenshot(page, testInfo, 'delegations-teacher');
});
