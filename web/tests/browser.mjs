// Browser test of the map page, driven by crates/cli/tests/browser.rs:
//   node web/tests/browser.mjs BASE_URL ARTIFACT_DIR
// Drives the system Chromium (CHROMIUM, default /usr/bin/chromium) with playwright-core against
// a running senda server and checks what a person would see:
//   1. the page loads with no console error and fetches nothing from another host;
//   2. the risk layer draws (pixels of screenshots with the layer on and off differ);
//   3. two clicks draw the safest and the fastest route with their figures; a click in
//      "nearest" mode lists shelters;
//   4. the language switch changes the labels (es -> en -> ht -> fr);
//   5. offline: a saved region's tile pack is drawn after the page is reloaded without network
//      (console errors are not counted from there: tiles never seen cannot load offline);
//   6. the lite page with JavaScript disabled: the form is typed in and sent, the answer lists
//      shelters with tap-to-call links and emergency numbers, and every page weighs at most
//      50 KB over the wire.
// Screenshots go to ARTIFACT_DIR. Exit status 0 when every check passes; 1 with the reasons.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node web/tests/browser.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const origin = new URL(base).origin;
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist'],
});
const context = await browser.newContext({ viewport: { width: 1000, height: 680 }, deviceScaleFactor: 1 });
const page = await context.newPage();
const errors = [];
const foreign = [];
let counting = true;
const offlineLog = [];
page.on('console', (m) => { if (!counting) offlineLog.push(`${m.type()}: ${m.text()} (${m.location()?.url || ''})`); });
page.on('console', (m) => {
  if (m.type() !== 'error' || !counting) return;
  const at = m.location()?.url || '';
  errors.push(`${m.text()} (${at})`);
});
page.on('pageerror', (e) => { if (counting) errors.push(`page error: ${e.message}`); });
context.on('request', (r) => {
  const u = r.url();
  if (!u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin) foreign.push(u);
});

const idle = () => page.waitForFunction(
  () => window.sendaMap && window.sendaMap.loaded() && window.sendaMap.areTilesLoaded(),
  null, { timeout: 30000 });

/// Decodes screenshots with the page's own canvas (no PNG library needed) and measures them
/// there: `diff` counts pixels that differ between two shots by more than `min` (sum of the
/// RGB differences); `colour` counts pixels of `b` near `rgb` minus those of `a`.
async function measure(a, b, { min = 12, rgb = null, tol = 40 } = {}) {
  return page.evaluate(async ([a64, b64, min, rgb, tol]) => {
    const decode = async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width; c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return g.getImageData(0, 0, c.width, c.height).data;
    };
    const [pa, pb] = [await decode(a64), await decode(b64)];
    const near = (p, i) => Math.abs(p[i] - rgb[0]) + Math.abs(p[i + 1] - rgb[1]) + Math.abs(p[i + 2] - rgb[2]) < tol;
    let diff = 0, colour = 0;
    for (let i = 0; i < pa.length; i += 4) {
      if (Math.abs(pa[i] - pb[i]) + Math.abs(pa[i + 1] - pb[i + 1]) + Math.abs(pa[i + 2] - pb[i + 2]) > min) diff++;
      if (rgb) colour += near(pb, i) - near(pa, i);
    }
    return { diff, colour, share: diff / (pa.length / 4) };
  }, [a.toString('base64'), b.toString('base64'), min, rgb, tol]);
}

const mapShot = (name) => page.locator('#map').screenshot({ path: join(outDir, `${name}.png`) });

try {
  // 1. Load.
  await page.goto(base);
  await idle();
  await page.waitForFunction(() => document.querySelector('h1').textContent.includes('mapa'), null, { timeout: 10000 });
  check((await page.textContent('h1')).includes('mapa de riesgo'), 'the page opens in Spanish');
  await page.screenshot({ path: join(outDir, 'page-es.png') });

  // 2. The risk layer draws: the first view, with only the risk layer's toggle changed.
  const withRisk = await mapShot('risk-on');
  await page.click('#layers input[data-layer=risk]');
  await idle();
  const withoutRisk = await mapShot('risk-off');
  const risk = await measure(withRisk, withoutRisk);
  check(risk.share > 0.05, `the risk layer changes ${(risk.share * 100).toFixed(1)} % of the map's pixels (> 5 %)`);
  await page.click('#layers input[data-layer=risk]');

  // 3. Two clicks: origin near Tapachula, destination near Oaxaca.
  await page.evaluate(() => window.sendaMap.jumpTo({ center: [-94.4, 16.1], zoom: 5.6 }));
  await idle();
  const before = await mapShot('route-before');
  for (const c of [[-92.2, 15.05], [-96.6, 17.15]]) {
    const p = await page.evaluate((c) => window.sendaMap.project(c), c);
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + p.x, box.y + p.y);
    await page.waitForTimeout(150);
  }
  await page.waitForSelector('#compare', { timeout: 30000 });
  await idle();
  await page.waitForTimeout(300);
  const after = await mapShot('route');
  const figures = await page.$$eval('#compare td', (tds) => tds.map((td) => td.textContent.trim()));
  // rows: distance, time, risk — each [label, safest, fastest]
  check(figures.length === 9, `the comparison table has 3 rows of 3 cells (${figures.length})`);
  check(/^\d+(\.\d)? km$/.test(figures[1]) && /^\d+(\.\d)? km$/.test(figures[2]), `distances side by side: ${figures[1]} | ${figures[2]}`);
  check(/\d+ (h|min)/.test(figures[4]) && /\d+ (h|min)/.test(figures[5]), `times side by side: ${figures[4]} | ${figures[5]}`);
  check(/\d/.test(figures[7]) && /\d/.test(figures[8]), `risks side by side: ${figures[7]} | ${figures[8]}`);
  const lines = await page.evaluate(() => ['safe', 'fast'].map((s) => {
    const f = window.sendaMap.getStyle().sources[s].data.features;
    return f.length ? f[0].geometry.coordinates.length : 0;
  }));
  check(lines[0] >= 2 && lines[1] >= 2, `both routes have geometry (${lines[0]} and ${lines[1]} points)`);
  const green = (await measure(before, after, { rgb: [11, 110, 79] })).colour;
  const purple = (await measure(before, after, { rgb: [138, 63, 252] })).colour;
  check(green > 200, `the safest route is drawn (${green} new green pixels)`);
  check(green + purple > 300, `the routes are drawn (${green + purple} new route pixels)`);

  // Nearest shelters from a clicked point.
  await page.check('input[name=mode][value=nearest]');
  const p0 = await page.evaluate(() => window.sendaMap.project([-92.3, 15.0]));
  const mapBox = await page.locator('#map').boundingBox();
  await page.mouse.click(mapBox.x + p0.x, mapBox.y + p0.y);
  await page.waitForSelector('#nearest-list li, #results .warn', { timeout: 30000 });
  const nearest = await page.$$eval('#nearest-list li', (lis) => lis.map((li) => li.textContent));
  check(nearest.length >= 1 && nearest.every((t) => / km /.test(t)), `nearest shelters listed with distances (${nearest.length})`);
  await page.check('input[name=mode][value=route]');
  for (const c of [[-92.2, 15.05], [-96.6, 17.15]]) {
    const p = await page.evaluate((c) => window.sendaMap.project(c), c);
    await page.mouse.click(mapBox.x + p.x, mapBox.y + p.y);
    await page.waitForTimeout(150);
  }
  await page.waitForSelector('#compare', { timeout: 30000 });

  // 4. Languages: every visible label is replaced.
  const labels = () => page.$$eval('[data-i18n]', (els) => els.map((e) => e.textContent));
  const es = await labels();
  const expect = { en: 'risk and route map', ht: 'kat risk ak wout', fr: 'carte des risques' };
  for (const lang of ['en', 'ht', 'fr']) {
    await page.selectOption('#lang', lang);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    const now = await labels();
    const same = now.filter((t, i) => t === es[i]).length;
    check((await page.textContent('h1')).includes(expect[lang]), `${lang}: the title is translated`);
    check(same * 5 < now.length, `${lang}: ${now.length - same} of ${now.length} labels changed`);
    check(now.every((t) => t.trim().length > 0), `${lang}: no empty label`);
  }
  await page.screenshot({ path: join(outDir, 'page-fr.png') });
  const header = await page.$$eval('#compare th', (ths) => ths.map((t) => t.textContent));
  check(header.includes('Plus sûr'), `the route table follows the language (${header.join(' | ')})`);

  // 5. Offline: save the region (the test pack near Tapachula), reload without network.
  await page.waitForFunction(() => !!navigator.serviceWorker?.controller, null, { timeout: 20000 });
  await page.evaluate(() => window.sendaMap.jumpTo({ center: [-92.24, 14.93], zoom: 12 }));
  await idle();
  await page.click('#save-offline');
  await page.waitForFunction(() => document.getElementById('offline-status').textContent.includes('test-tapachula'), null, { timeout: 20000 });
  check(true, `saved: ${await page.textContent('#offline-status')}`);
  counting = false;
  await context.setOffline(true);
  await page.reload();
  await page.waitForFunction(() => window.sendaMap && window.sendaMap.loaded(), null, { timeout: 30000 });
  await page.waitForFunction(() => window.sendaMap.querySourceFeatures('roads', { sourceLayer: 'roads' }).length > 0, null, { timeout: 20000 })
    .catch(() => {});
  const offline = await page.evaluate(() => ({
    title: document.querySelector('h1').textContent,
    url: window.sendaMap.getStyle().sources.roads.url || '',
    roads: window.sendaMap.querySourceFeatures('roads', { sourceLayer: 'roads' }).length,
    status: document.getElementById('offline-status').textContent,
  }));
  await mapShot('offline');
  check(offline.title.includes('carte des risques'), `offline: the page reloads from the service worker (${offline.title})`);
  check(offline.url.startsWith('pmtiles://') && offline.roads > 0, `offline: ${offline.roads} road features drawn from the saved pack (${offline.url})`);
  if (offline.roads === 0) console.log(`console while offline:\n  ${offlineLog.join('\n  ')}`);
  await context.setOffline(false);
} catch (e) {
  failures.push(`error: ${e.message}`);
  await page.screenshot({ path: join(outDir, 'failure.png') }).catch(() => {});
}

// 6. The lite page, JavaScript off, on a small phone screen.
try {
  const lite = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const lp = await lite.newPage();
  let wire = 0;
  lp.on('requestfinished', async (r) => {
    const s = await r.sizes().catch(() => null);
    if (s) wire += s.responseBodySize + s.responseHeadersSize;
  });
  const settle = () => new Promise((r) => setTimeout(r, 300));
  await lp.goto(`${origin}/lite?lang=ht`);
  await settle();
  check(await lp.getAttribute('html', 'lang') === 'ht', 'lite: opens in Haitian Creole');
  check(wire > 0 && wire <= 50 * 1024, `lite: the start page is ${wire} bytes over the wire (at most 51,200)`);
  wire = 0;
  await lp.fill('input[name=at]', 'Tapachula');
  await lp.fill('input[name=to]', 'Tuxtla Gutierrez');
  await Promise.all([lp.waitForNavigation(), lp.click('button[type=submit]')]);
  await settle();
  const answer = await lp.evaluate(() => ({
    url: location.search,
    shelters: document.querySelectorAll('ol li').length,
    tel: document.querySelectorAll('a[href^="tel:"]').length,
    share: [...document.querySelectorAll('a[href^="https://wa.me/"]')].length,
    scripts: document.querySelectorAll('script[src]').length,
  }));
  check(answer.url.includes('at=Tapachula'), `lite: the form was sent without JavaScript (${answer.url})`);
  check(answer.shelters > 0 && answer.tel > 0, `lite: ${answer.shelters} list entries, ${answer.tel} tap-to-call links`);
  check(answer.share > 0, 'lite: a WhatsApp share link');
  check(answer.scripts === 0, 'lite: no script files');
  check(wire > 0 && wire <= 50 * 1024, `lite: the answer is ${wire} bytes over the wire (at most 51,200)`);
  await lp.screenshot({ path: join(outDir, 'lite-ht.png'), fullPage: true });
  await lite.close();
} catch (e) {
  failures.push(`lite: ${e.message}`);
}

check(errors.length === 0, `no console errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
check(foreign.length === 0, `nothing fetched from another host${foreign.length ? `: ${foreign.join(', ')}` : ''}`);
await browser.close();
console.log(`${failures.length === 0 ? 'PASS' : 'FAIL'}: ${failures.length} failed; screenshots in ${outDir}`);
process.exit(failures.length === 0 ? 0 : 1);
