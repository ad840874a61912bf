import { test } from '@playwright/test';
import { DESKTOP, PHONE, bell, expect, hydrated, jpegFile, login, pdfFile, reviewRow, screenshot } from './helpers';

// A demo student without outcomes (202, seat 25) and the 數學A teacher of homeroom 202.
const STUDENT = '112060';
const STUDENT_NAME = '周雅筑';
const TEACHER = 't003';
const COURSE = '數學A（202，林雅婷）';
const PDF_SUMMARY = '三角函數應用題解題報告';
const JPG_SUMMARY = '統計圖表實作照片';
const FAIL_REASON = '照片看不出是本人作品，請補上姓名與課堂紀錄。';

test('certification loop from upload to resubmission', async ({ browser }, testInfo) => {
  // The student works on a phone, with a second tab open.
  const studentContext = await browser.newContext({ viewport: PHONE });
  const student = await studentContext.newPage();
  await login(student, STUDENT);

  await test.step('student uploads a PDF and a JPG', async () => {
    await student.goto('/student/outcomes/new');
    await hydrated(student);
    // The limits are on screen before any file is chosen.
    await expect(student.getByText('文件檔：PDF、JPG、PNG，每件最大 4 MB')).toBeVisible();
    await expect(student.getByText('影音檔：MP3、MP4，每件最大 10 MB')).toBeVisible();
    await screenshot(student, testInfo, '01-student-upload-form');

    await student.getByLabel(/^課程/).selectOption({ label: COURSE });
    await student.getByLabel(/^文件檔/).setInputFiles({ name: '數學報告.pdf', mimeType: 'application/pdf', buffer: pdfFile('Math report') });
    await expect(student.getByText('「數學報告.pdf」', { exact: false })).toBeVisible();
    await student.getByLabel(/^簡述/).fill(PDF_SUMMARY);
    await student.getByRole('button', { name: '上傳', exact: true }).click();
    await student.waitForURL(/\/student\/outcomes\?uploaded=/);
    await hydrated(student);
    await expect(student.getByText('已上傳，目前是「草稿」')).toBeVisible();

    await student.goto('/student/outcomes/new');
    await hydrated(student);
    await student.getByLabel(/^課程/).selectOption({ label: COURSE });
    await student.getByLabel(/^文件檔/).setInputFiles({ name: '統計圖表.jpg', mimeType: 'image/jpeg', buffer: jpegFile() });
    await student.getByLabel(/^簡述/).fill(JPG_SUMMARY);
    await student.getByRole('button', { name: '上傳', exact: true }).click();
    await student.waitForURL(/\/student\/outcomes\?uploaded=/);
    await hydrated(student);
    await expect(student.getByText('你有 2 件草稿還沒有送出認證')).toBeVisible();
    await screenshot(student, testInfo, '02-student-drafts');
  });

  await test.step('student submits both with the confirm dialog', async () => {
    for (const summary of [PDF_SUMMARY, JPG_SUMMARY]) {
      const row = student.getByRole('row').filter({ hasText: summary });
      await expect(row.getByText('草稿', { exact: true })).toBeVisible();
      await row.getByRole('button', { name: /^送出認證/ }).click();
      const dialog = student.getByRole('dialog', { name: '確定要送出認證嗎？' });
      await expect(dialog).toBeVisible();
      await dialog.getByRole('button', { name: '確定送出' }).click();
      await expect(row.getByText('待認證', { exact: true })).toBeVisible();
    }
    await expect(student.getByText('待認證 2 件 · 通過 0 件 · 不通過 0 件')).toBeVisible();
    await expect(student.getByText('已上傳，目前是「草稿」')).toHaveCount(0);
    await screenshot(student, testInfo, '03-student-submitted');
  });

  const secondTab = await studentContext.newPage();
  await secondTab.goto('/student/outcomes');
  await hydrated(secondTab);
  await expect(bell(secondTab, 0)).toBeVisible();

  // The teacher works on a desktop.
  const teacherContext = await browser.newContext({ viewport: DESKTOP });
  const teacher = await teacherContext.newPage();
  await login(teacher, TEACHER);

  await test.step('teacher filters 待認證, fails one with a reason and passes the other', async () => {
    await teacher.getByLabel('狀態', { exact: true }).selectOption({ label: '待認證' });
    await teacher.waitForURL(/state=undecided/);
    await teacher.getByLabel('班級', { exact: true }).selectOption({ label: '202' });
    await teacher.waitForURL(/homeroom=/);
    await expect(teacher.getByText(/顯示 1–\d+ \/ 共 \d+ 筆/)).toBeVisible();
    const pdfRow = reviewRow(teacher, PDF_SUMMARY);
    const jpgRow = reviewRow(teacher, JPG_SUMMARY);
    await expect(pdfRow.getByText(STUDENT_NAME)).toBeVisible();
    await screenshot(teacher, testInfo, '04-teacher-pending');

    // Inline preview, without downloading.
    await jpgRow.getByRole('button', { name: '預覽' }).click();
    const preview = teacher.getByRole('dialog', { name: '統計圖表.jpg' });
    await expect(preview.getByRole('img', { name: '統計圖表.jpg' })).toBeVisible();
    await screenshot(teacher, testInfo, '05-teacher-preview');
    // 下載 saves the file under its original name and leaves the page where it is.
    const [download] = await Promise.all([teacher.waitForEvent('download'), preview.getByRole('link', { name: '下載' }).click()]);
    expect(download.suggestedFilename()).toBe('統計圖表.jpg');
    await expect(teacher).toHaveURL(/\/teacher\/certify/);
    await preview.getByRole('button', { name: '關閉' }).click();

    await jpgRow.getByRole('button', { name: '不通過' }).click();
    const failDialog = teacher.getByRole('dialog', { name: '確定要將認證狀態設定為不通過？' });
    await expect(failDialog.getByText('認證只確認這是學生本人在本課程的作品')).toBeVisible();
    await expect(failDialog.getByText(`${STUDENT_NAME}・數學A：${JPG_SUMMARY}`)).toBeVisible();
    // Without a reason the decision is refused.
    await failDialog.getByRole('button', { name: '確定不通過' }).click();
    await expect(failDialog.getByRole('alert')).toContainText('必須填寫原因');
    await failDialog.getByLabel(/不通過原因/).fill(FAIL_REASON);
    await expect(failDialog.getByRole('alert')).toHaveCount(0);
    await screenshot(teacher, testInfo, '06-teacher-fail-dialog');
    await failDialog.getByRole('button', { name: '確定不通過' }).click();
    await expect(failDialog).toBeHidden();
    await expect(jpgRow).toHaveCount(0);

    await pdfRow.getByRole('button', { name: '通過', exact: true }).click();
    await expect(pdfRow).toHaveCount(0);
  });

  await test.step('teacher presses 全部發佈 for homeroom 202', async () => {
    await teacher.getByLabel('狀態', { exact: true }).selectOption({ label: '全部' });
    await teacher.waitForURL(/state=all/);
    await expect(reviewRow(teacher, JPG_SUMMARY).getByText('不通過(未發佈)')).toBeVisible();
    await expect(reviewRow(teacher, PDF_SUMMARY).getByText('通過(未發佈)')).toBeVisible();
    // Nothing reaches the student before publishing.
    await expect(bell(student, 0)).toBeVisible();
    const publishAll = teacher.getByRole('button', { name: /^全部發佈/ });
    const count = Number(((await publishAll.textContent()) ?? '').match(/（(\d+)）/)?.[1]);
    expect(count).toBeGreaterThanOrEqual(2);
    await publishAll.click();
    const dialog = teacher.getByRole('dialog', { name: '確定要全部發佈嗎？' });
    await dialog.getByRole('button', { name: '確定全部發佈' }).click();
    await expect(teacher.getByRole('status').filter({ hasText: `已發佈 ${count} 筆` })).toBeVisible();
    await screenshot(teacher, testInfo, '07-teacher-published');
  });

  await test.step('the bubble shows 2 without a reload, and reading clears every tab', async () => {
    await expect(bell(student, 2)).toBeVisible();
    await expect(bell(secondTab, 2)).toBeVisible();
    // The list behind the bubble follows too.
    await expect(student.getByText('待認證 0 件 · 通過 1 件 · 不通過 1 件')).toBeVisible();
    await screenshot(student, testInfo, '08-student-bubble');
    await bell(student, 2).click();
    await student.waitForURL(/\/notifications/);
    await expect(student.getByRole('link', { name: /「數學A」的學習成果已認證：不通過/ })).toBeVisible();
    await expect(student.getByRole('link', { name: /「數學A」的學習成果已認證：通過/ })).toBeVisible();
    await screenshot(student, testInfo, '09-student-notifications');
    await expect(bell(student, 0)).toBeVisible();
    await expect(bell(secondTab, 0)).toBeVisible();
  });

  await test.step('student replaces the failed one and submits it again', async () => {
    await student.goto('/student/outcomes');
    await hydrated(student);
    const failedRow = student.getByRole('row').filter({ hasText: JPG_SUMMARY });
    await expect(failedRow.getByText('不通過', { exact: true })).toBeVisible();
    await expect(failedRow.getByText(FAIL_REASON)).toBeVisible();
    await expect(student.getByText('待認證 0 件 · 通過 1 件 · 不通過 1 件')).toBeVisible();
    await failedRow.getByRole('link', { name: /^修改/ }).click();
    await student.waitForURL(/\/revise$/);
    await hydrated(student);
    await student.getByLabel(/^文件檔/).setInputFiles({ name: '統計圖表（含姓名）.pdf', mimeType: 'application/pdf', buffer: pdfFile('Charts with name') });
    await student.getByLabel(/^簡述/).fill('統計圖表實作第二版（附本人課堂紀錄）');
    await screenshot(student, testInfo, '10-student-revise');
    await student.getByRole('button', { name: '儲存修改' }).click();
    await student.waitForURL(/\/student\/outcomes\?uploaded=/);
    await hydrated(student);
    const revisedRow = student.getByRole('row').filter({ hasText: '統計圖表實作第二版' });
    await expect(revisedRow.getByText('草稿', { exact: true })).toBeVisible();
    await revisedRow.getByRole('button', { name: /^送出認證/ }).click();
    await student.getByRole('dialog', { name: '確定要送出認證嗎？' }).getByRole('button', { name: '確定送出' }).click();
    await expect(revisedRow.getByText('待認證', { exact: true })).toBeVisible();
  });

  await test.step('teacher passes the resubmitted outcome', async () => {
    await teacher.goto('/teacher/certify?state=undecided');
    await hydrated(teacher);
    const row = reviewRow(teacher, '統計圖表實作第二版');
    await expect(row.getByText('第 2 次送出')).toBeVisible();
    await row.getByRole('button', { name: '通過', exact: true }).click();
    await teacher.goto('/teacher/certify?state=passed-unpublished');
    await hydrated(teacher);
    await reviewRow(teacher, '統計圖表實作第二版').getByRole('button', { name: '發佈', exact: true }).click();
    await expect(teacher.getByRole('status').filter({ hasText: '已發佈 1 筆' })).toBeVisible();
  });

  await test.step('student sees both passed', async () => {
    await expect(bell(student, 1)).toBeVisible();
    await student.goto('/student/outcomes');
    await hydrated(student);
    await expect(student.getByText('待認證 0 件 · 通過 2 件 · 不通過 0 件')).toBeVisible();
    await screenshot(student, testInfo, '11-student-all-passed');
    await student.setViewportSize(DESKTOP);
    await screenshot(student, testInfo, '11-student-all-passed');
  });

  await studentContext.close();
  await teacherContext.close();
});
