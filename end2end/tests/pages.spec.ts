import { test } from '@playwright/test';
import { DESKTOP, PHONE, expect, hydrated, login, screenshot } from './helpers';

// Every page at phone and desktop width, on the demo school's data.
for (const viewport of [PHONE, DESKTOP]) {
  test(`pages render at ${viewport.width}px`, async ({ browser }, testInfo) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto('/login');
    await hydrated(page);
    await screenshot(page, testInfo, 'login');

    await login(page, '112001');
    await expect(page.getByRole('heading', { name: '我的學習成果' })).toBeVisible();
    await screenshot(page, testInfo, 'student-outcomes');
    await page.goto('/student/outcomes/new');
    await hydrated(page);
    await screenshot(page, testInfo, 'student-upload');
    await page.goto('/notifications');
    await hydrated(page);
    await screenshot(page, testInfo, 'student-notifications');
    const history = page.getByRole('link', { name: '認證紀錄' });
    await page.goto('/student/outcomes');
    await hydrated(page);
    await history.first().click();
    await page.waitForURL(/\/student\/outcomes\/\d+$/);
    await hydrated(page);
    await expect(page.getByRole('heading', { name: '認證紀錄' })).toBeVisible();
    await screenshot(page, testInfo, 'student-history');
    await context.close();

    const teacherContext = await browser.newContext({ viewport });
    const teacher = await teacherContext.newPage();
    await login(teacher, 't001');
    await expect(teacher.getByRole('heading', { name: '認證學習成果' })).toBeVisible();
    await screenshot(teacher, testInfo, 'teacher-certify');
    await teacherContext.close();
  });
}

test('empty login shows the page message', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('button', { name: '登入' }).click();
  await expect(page.getByRole('alert')).toContainText('請輸入帳號和密碼');
});

test('language switch shows English and back', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { name: '登入' })).toBeVisible();
});

// Each page's code is a separate WebAssembly chunk (`cargo leptos build --split`).
test('page chunks load on arrival and navigation', async ({ page }) => {
  const chunks: string[] = [];
  const failures: string[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/pkg/')) return;
    if (url.pathname.endsWith('.wasm')) chunks.push(url.pathname);
    if (response.status() >= 400) failures.push(`${response.status()} ${url.pathname}`);
  });
  page.on('requestfailed', (request) => failures.push(`failed ${request.url()}`));
  const loaded = (route: string) => chunks.some((chunk) => chunk.includes(`split___${route}_route_view`));

  // The server names the chunk of the page it renders, so it loads before hydration.
  await page.goto('/login');
  const html = await page.content();
  expect(html).toContain('split___login_route_view');
  await hydrated(page);
  expect(loaded('login')).toBe(true);
  expect(loaded('my_outcomes')).toBe(false);

  await login(page, '112001');
  await expect(page.getByRole('heading', { name: '我的學習成果' })).toBeVisible();
  expect(loaded('my_outcomes')).toBe(true);

  // A link followed inside the app fetches the next page's chunk on the way.
  expect(loaded('outcome_detail')).toBe(false);
  await page.getByRole('link', { name: '認證紀錄' }).first().click();
  await page.waitForURL(/\/student\/outcomes\/\d+$/);
  await expect(page.getByRole('heading', { name: '認證紀錄' })).toBeVisible();
  expect(loaded('outcome_detail')).toBe(true);
  await page.getByRole('link', { name: /^通知/ }).first().click();
  await page.waitForURL(/\/notifications$/);
  await expect(page.getByRole('heading', { name: '通知', exact: true })).toBeVisible();
  expect(loaded('notifications')).toBe(true);

  expect(failures).toEqual([]);
});
