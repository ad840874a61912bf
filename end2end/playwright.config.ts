import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The release binary under test; scripts/test.sh sets it after building.
const binary = process.env.LICHENG_BIN ?? path.resolve(__dirname, '../target/release/licheng');
const port = process.env.LICHENG_E2E_PORT ?? '3107';
const baseURL = `http://127.0.0.1:${port}`;
// A fresh data directory per run: the demo school is created in it at start.
const dataDir = process.env.LICHENG_E2E_DATA ?? fs.mkdtempSync(path.join(os.tmpdir(), 'licheng-e2e-'));
process.env.LICHENG_E2E_DATA = dataDir;

// Flags that keep Chromium from reaching for the network on a closed machine.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // The specs share one demo school and use different students, but run one at a time so
  // that counts on the teacher's page stay predictable.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  outputDir: 'test-results',
  use: {
    baseURL,
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
    locale: 'zh-TW',
    timezoneId: 'Asia/Taipei',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'hydrated', testIgnore: /no-js/, use: { javaScriptEnabled: true } },
    { name: 'no-js', testMatch: /no-js/, use: { javaScriptEnabled: false } },
  ],
  webServer: {
    command: `"${binary}" --demo --data-dir "${dataDir}" --addr 127.0.0.1:${port}`,
    cwd: path.resolve(__dirname, '..'),
    url: `${baseURL}/healthz`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    // A server in UTC, so that every deadline shown must come from Asia/Taipei rules.
    env: { TZ: 'UTC', RUST_LOG: 'warn' },
  },
});
