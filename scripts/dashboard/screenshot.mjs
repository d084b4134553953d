// Takes the screenshot in docs/images: one order's trace in the Aspire dashboard (Chromium from Debian, npm puppeteer-core).
// node scripts/dashboard/screenshot.mjs <dashboard-url> <trace-id> <out.png>
import puppeteer from 'puppeteer-core';
const [url, traceId, out] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'], headless: true });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1250, deviceScaleFactor: 1 });
  await page.goto(`${url}/traces/detail/${traceId}`, { waitUntil: 'networkidle2', timeout: 60000 });
  await page.waitForFunction(() => document.body.innerText.includes('process-payment'), { timeout: 60000 });
  await new Promise(r => setTimeout(r, 1500)); // let the waterfall finish its layout
  await page.screenshot({ path: out });
  console.log('wrote', out);
} finally {
  await browser.close();
}
