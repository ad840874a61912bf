import { test, type Browser, type Page } from '@playwright/test';
import { DESKTOP, PHONE, expect, hydrated, login, screenshot } from './helpers';

// The browser runs in Los Angeles and the server in UTC (see playwright.config.ts): every
// deadline on screen must still be Taiwan time, 23:59:59 on the last day.
test.use({ timezoneId: 'America/Los_Angeles' });
test.describe.configure({ mode: 'serial' });

const ADMIN = 'admin';
// 112010 (201, seat 10) has a 不通過 item and a draft in 1131; 112007 has one passed item and
// has ticked nothing.
const LOCKED_STUDENT = '112010';
const TICKING_STUDENT = '112007';
const UNLOCK_REASON = '參加全國科展，補交作品';

/** Returns the Taiwan date `days` from today, in ROC form such as 115/12/03. */
function rocDate(days: number): string {
  const moment = new Date(Date.now() + days * 86_400_000);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Taipei',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(moment);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${Number(part('year')) - 1911}/${part('month')}/${part('day')}`;
}

async function newPage(browser: Browser, account: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await login(page, account);
  return page;
}

/** Sets the last day of the 1131 student window on the 期限設定 page; returns the old value. */
async function setStudentLastDay(admin: Page, value: string): Promise<string> {
  await admin.goto('/admin/windows');
  await hydrated(admin);
  const form = admin.getByRole('form', { name: '113學年度第1學期' });
  const field = form.getByRole('group', { name: '學生上傳與送出認證' }).getByLabel('截止日');
  const old = await field.inputValue();
  await field.fill(value);
  await form.getByRole('button', { name: '儲存' }).click();
  await expect(admin.getByRole('status').filter({ hasText: '已儲存。' })).toBeVisible();
  return old;
}

test('closed student window shows Taiwan time, and an unlock reopens one student', async ({ browser }, testInfo) => {
  const admin = await newPage(browser, ADMIN);
  const yesterday = rocDate(-1);
  const deadline = `已截止，截止時間 ${yesterday} 23:59:59`;
  const original = await setStudentLastDay(admin, yesterday);
  try {
    await test.step('the administrator sees the window closed', async () => {
      const form = admin.getByRole('form', { name: '113學年度第1學期' });
      await expect(form.getByRole('group', { name: '學生上傳與送出認證' }).getByText(deadline)).toBeVisible();
      await screenshot(admin, testInfo, 'admin-windows-closed');
    });

    const student = await newPage(browser, LOCKED_STUDENT, PHONE);
    await test.step('the student sees disabled buttons with the Taiwan deadline', async () => {
      await student.goto('/student/outcomes');
      await hydrated(student);
      await expect(student.getByRole('button', { name: '上傳學習成果' })).toBeDisabled();
      await expect(student.getByText(deadline).first()).toBeVisible();
      const submit = student.getByRole('button', { name: /^送出認證：/ }).first();
      await expect(submit).toBeDisabled();
      await expect(student.getByRole('button', { name: /^刪除：/ }).first()).toBeDisabled();
      await expect(submit).toHaveAccessibleDescription(new RegExp(`${yesterday} 23:59:59`));
      await screenshot(student, testInfo, 'student-window-closed');
      // The upload page refuses too.
      await student.goto('/student/outcomes/new');
      await hydrated(student);
      await expect(student.getByText(deadline).first()).toBeVisible();
      await expect(student.getByRole('button', { name: '上傳', exact: true })).toBeDisabled();
    });

    await test.step('the teacher keeps certifying and sees what is unfinished', async () => {
      const teacher = await newPage(browser, 't003');
      await expect(teacher.getByText(/113學年度第1學期認證截止時間 \d+\/\d\d\/\d\d 23:59:59：尚有待認證 \d+ 件、已認證未發佈 \d+ 件。/)).toBeVisible();
      await teacher.context().close();
    });

    await test.step('the administrator reopens the student until tomorrow', async () => {
      await admin.goto('/admin/unlocks');
      await hydrated(admin);
      await admin.getByLabel('學號').fill(LOCKED_STUDENT);
      await admin.getByLabel('開放至').fill(rocDate(1));
      await admin.getByLabel('原因').fill(UNLOCK_REASON);
      await admin.getByRole('button', { name: '開放', exact: true }).click();
      await expect(admin.getByText('已個別開放。')).toBeVisible();
      await expect(admin.getByRole('row').filter({ hasText: UNLOCK_REASON })).toContainText(`${rocDate(1)} 23:59:59`);
      await screenshot(admin, testInfo, 'admin-unlocks');
    });

    await test.step('the student sees the unlock and may act again', async () => {
      await student.goto('/student/outcomes');
      await hydrated(student);
      await expect(student.getByText(`教務處已個別開放至 ${rocDate(1)} 23:59:59（原因：${UNLOCK_REASON}）`)).toBeVisible();
      await expect(student.getByRole('main').getByRole('link', { name: '上傳學習成果' })).toBeVisible();
      await expect(student.getByRole('button', { name: /^送出認證：/ }).first()).toBeEnabled();
      await screenshot(student, testInfo, 'student-unlocked');
      // Another student of the same semester stays closed.
      const classmate = await newPage(browser, '112011', PHONE);
      await expect(classmate.getByRole('button', { name: '上傳學習成果' })).toBeDisabled();
      await classmate.context().close();
      await student.context().close();
    });

    await test.step('both changes are in the audit log', async () => {
      await admin.goto('/admin/audit');
      await hydrated(admin);
      await admin.getByLabel('動作').selectOption({ label: '個別開放' });
      await admin.getByRole('button', { name: '篩選' }).click();
      await admin.waitForURL(/action=unlock/);
      await hydrated(admin);
      await expect(admin.getByRole('row').filter({ hasText: UNLOCK_REASON })).toContainText(ADMIN);
      await admin.getByLabel('動作').selectOption({ label: '變更學生上傳期限' });
      await admin.getByRole('button', { name: '篩選' }).click();
      await admin.waitForURL(/action=student_window/);
      await hydrated(admin);
      await expect(admin.getByRole('row').filter({ hasText: `${yesterday} 23:59:59` }).first()).toBeVisible();
      await screenshot(admin, testInfo, 'admin-audit');
    });
  } finally {
    await setStudentLastDay(admin, original);
    await admin.context().close();
  }
});

test('a student ticks outcomes and the school submits the year', async ({ browser }, testInfo) => {
  const student = await newPage(browser, TICKING_STUDENT, PHONE);
  await test.step('ticking counts up to the limit, n/6', async () => {
    await expect(student.getByText('113學年度：每學年勾選至多6件(0/6)')).toBeVisible();
    const tick = student.getByRole('checkbox', { name: /^勾選提交：/ });
    await expect(tick).toHaveCount(1);
    await tick.check();
    await expect(student.getByText('113學年度：每學年勾選至多6件(1/6)')).toBeVisible();
    await student.reload();
    await hydrated(student);
    await expect(student.getByText('113學年度：每學年勾選至多6件(1/6)')).toBeVisible();
    await expect(student.getByRole('checkbox', { name: /^勾選提交：/ })).toBeChecked();
    await screenshot(student, testInfo, 'student-selection');
  });

  const admin = await newPage(browser, ADMIN);
  await test.step('the selection window closes and the year is submitted', async () => {
    await admin.goto('/admin/windows');
    await hydrated(admin);
    const form = admin.getByRole('form', { name: '113學年度', exact: true });
    await form.getByLabel('勾選截止').fill(rocDate(-1));
    await form.getByRole('button', { name: '儲存' }).click();
    await expect(form.getByText(`已截止，截止時間 ${rocDate(-1)} 23:59:59`)).toBeVisible();

    await admin.goto('/submissions');
    await hydrated(admin);
    await admin.getByRole('button', { name: '產生提交批次' }).click();
    const dialog = admin.getByRole('dialog', { name: '確定要產生提交批次嗎？' });
    await dialog.getByRole('button', { name: '產生提交批次' }).click();
    await expect(admin.getByText(/已產生 113學年度的提交批次，共 \d+ 列。/)).toBeVisible();
    const downloadPromise = admin.waitForEvent('download');
    await admin.getByRole('link', { name: '下載名冊與檔案' }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/^990001_113_0_26_\d{14}\.zip$/);
    const path = await download.path();
    const fs = await import('node:fs');
    const bytes = fs.readFileSync(path);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    await screenshot(admin, testInfo, 'admin-submissions');
    await admin.context().close();
  });

  await test.step('the student sees the record and the ticks are frozen', async () => {
    await student.goto('/student/outcomes');
    await hydrated(student);
    await expect(student.getByRole('checkbox', { name: /^勾選提交：/ })).toBeDisabled();
    await expect(student.getByText('已提交中央資料庫，不能再變更。')).toBeVisible();
    await student.getByRole('link', { name: '查詢學習成果提交中央資料庫紀錄' }).click();
    await student.waitForURL('**/student/submissions');
    await hydrated(student);
    await expect(student.getByRole('row').filter({ hasText: '113學年度 名冊26 第' })).toHaveCount(1);
    await screenshot(student, testInfo, 'student-records');
    await student.context().close();
  });
});
