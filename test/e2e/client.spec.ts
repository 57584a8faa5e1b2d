import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { JobDetailView, PlayQueueView } from '@marquee/contracts';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { bearer, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  clientBuilt,
  launchChromium,
  newContext,
  screenshot,
  signIn as signInThrough,
  watchForErrors,
} from '../helpers/browser.js';
import { makeCorrupt, makeFlac, makeImage, makeVideo } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForScanAndJobs } from '../helpers/wait-for-scan.js';

/**
 * The web client end to end: the real api and worker on a generated library, the built Angular client
 * they serve, and Debian's headless Chromium driving it as a person would. Screenshots of the main
 * screens go to test-results/screenshots/.
 */
/** What the tests read of a <video> (the tsconfig has no DOM types). */
interface MediaState {
  paused: boolean;
  currentTime: number;
  readyState: number;
}

/**
 * The page's globals as the tests read them. Checks run as functions: the Content-Security-Policy
 * forbids eval, so Playwright cannot evaluate strings in the page.
 */
interface PageGlobals {
  document: {
    querySelector(selector: string): (MediaState & { textContent: string | null }) | null;
    documentElement: { scrollWidth: number; clientWidth: number };
  };
}

/** What the keyboard tests read of the focused element and the layout. */
interface FocusedElement {
  id: string;
  tagName: string;
  textContent: string | null;
  closest(selector: string): { getAttribute(name: string): string | null } | null;
  getAttribute(name: string): string | null;
}
interface FocusGlobals {
  document: { activeElement: FocusedElement | null; scrollingElement: { scrollWidth: number } | null };
  innerWidth: number;
  getComputedStyle(element: FocusedElement): { outlineStyle: string; outlineWidth: string; boxShadow: string };
}

/** A table's scrolling box, as the phone-width check reads it in the page. */
interface StackedTableWrap {
  scrollWidth: number;
  clientWidth: number;
  querySelectorAll(selector: string): Iterable<unknown>;
}

interface PseudoStyleGlobals {
  getComputedStyle(element: unknown, pseudo: string): { content: string };
}

/** The focused element, and whether it shows a focus indicator (an outline or a box shadow). */
async function focused(
  page: Page,
): Promise<{ id: string; tag: string; text: string; label: string | null; ring: boolean; inDialog: boolean }> {
  return page.evaluate(() => {
    const g = globalThis as unknown as FocusGlobals;
    const element = g.document.activeElement;
    if (!element) return { id: '', tag: '', text: '', label: null, ring: false, inDialog: false };
    const style = g.getComputedStyle(element);
    return {
      id: element.id,
      tag: element.tagName,
      text: element.textContent?.trim() ?? '',
      label: element.getAttribute('aria-label'),
      ring: (style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none',
      inDialog: element.closest('dialog') !== null,
    };
  });
}

/** How far the page is wider than the screen (0 when nothing scrolls sideways). */
async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const g = globalThis as unknown as FocusGlobals;
    return Math.max(0, (g.document.scrollingElement?.scrollWidth ?? 0) - g.innerWidth);
  });
}

/** A problem+json failure as the server sends it. */
function problemResponse(status: number, detail: string) {
  return {
    status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status, detail }),
  };
}

/**
 * Takes the problems seen so far: exactly these refused requests (without the origin), each with
 * Chromium's console line for it, and nothing else.
 */
function expectOnlyRefusals(problems: string[], base: string, expected: string[]): void {
  const seen = problems.splice(0);
  expect(seen.filter((p) => p.startsWith('HTTP')).map((p) => p.replace(base, ''))).toEqual(expected);
  expect(seen.filter((p) => !p.startsWith('HTTP'))).toEqual(
    expected.map(() => expect.stringMatching(/^console: Failed to load resource: /)),
  );
}

const describeWithChromium = chromiumAvailable ? describe : describe.skip; // skipped without Debian's chromium; reported below
if (!chromiumAvailable) {
  // Said once, where a reader of the run sees it: the suite is skipped, not passed.
  process.stdout.write(`\n[client e2e] skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package)\n`);
}

describeWithChromium(`web client in headless Chromium${chromiumAvailable ? '' : ` (skipped: no Chromium at ${CHROMIUM_PATH})`}`, () => {
  let db: ScratchDatabase;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let sql: pg.Client;
  let admin: TestAccount;
  let user: TestAccount;
  let media: string;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let filmId: string;
  let mkvId: string;
  let failedProbeId: string;

  const http = () => request(api.getHttpServer());

  const signIn = (account: TestAccount) => signInThrough(page, account);

  beforeAll(async () => {
    if (!clientBuilt()) throw new Error('The client is not built: run `npm run build:admin` (npm test builds it when stale)');
    media = mkdtempSync(join(tmpdir(), 'marquee-client-media-'));
    await Promise.all([
      makeVideo(join(media, 'movies', 'Plain (2020)', 'Plain (2020).mp4'), { container: 'mp4', seconds: 8 }),
      makeCorrupt(join(media, 'movies', 'Broken (2019)', 'Broken (2019).mkv'), 'truncated-mkv'),
      makeVideo(join(media, 'movies', 'Boxed (2021)', 'Boxed (2021).mkv'), { container: 'mkv', seconds: 6, subtitles: true }),
      makeFlac(join(media, 'music', 'The Band', 'Hi-Res', '01 First.flac'), {
        seconds: 6,
        bits: 24,
        sampleRate: 96000,
        tags: { title: 'First', artist: 'The Band', album_artist: 'The Band', album: 'Hi-Res', track: '1/2' },
      }),
      makeFlac(join(media, 'music', 'The Band', 'Hi-Res', '02 Second.flac'), {
        seconds: 4,
        bits: 24,
        sampleRate: 96000,
        tags: { title: 'Second', artist: 'The Band', album_artist: 'The Band', album: 'Hi-Res', track: '2/2' },
      }),
      makeImage(join(media, 'images', 'Trip', 'a.jpg'), { width: 320, height: 200 }),
      makeImage(join(media, 'images', 'Trip', 'b.jpg'), { width: 200, height: 320 }),
      makeVideo(join(media, 'series', 'The Show', 'Season 01', 'The Show - S01E01 - Pilot.mkv'), { seconds: 1 }),
      makeVideo(join(media, 'series', 'The Show', 'Season 01', 'The Show - S01E02 - Second.mkv'), { seconds: 1 }),
    ]);

    db = await createScratchDatabase();
    const config = testConfig({ env: { DATABASE_URL: db.url, MARQUEE_WATCH: 'false' } });
    api = await startApi(config);
    worker = await startWorker(config);
    ({ admin, user } = await seedAccounts(api));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    for (const kind of ['movies', 'music', 'images', 'series'] as const) {
      const since = new Date(Date.now() - 5);
      const res = await http()
        .post('/api/v1/libraries')
        .set(bearer(admin))
        .send({ name: `My ${kind}`, kind, folders: [join(media, kind)] });
      expect(res.status).toBe(201);
      await waitForScanAndJobs(sql, since);
    }
    filmId = (await sql.query<{ id: string }>(`SELECT id FROM media_items WHERE title = 'Plain' AND type = 'movie'`)).rows[0].id;
    mkvId = (await sql.query<{ id: string }>(`SELECT id FROM media_items WHERE title = 'Boxed' AND type = 'movie'`)).rows[0].id;
    failedProbeId = await waitFor(
      async () =>
        (
          await sql.query<{ id: string }>(
            `SELECT id FROM job_runs WHERE queue = 'media-probe' AND state = 'failed' AND "targetLabel" LIKE 'Broken%'`,
          )
        ).rows[0]?.id,
      'the probe of the corrupt file to fail',
      120_000,
      250,
    );

    base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await newContext(browser, base);
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    problems = watchForErrors(page);
  }, 360_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await sql?.end();
    await worker?.close();
    await api?.close();
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  afterEach(() => {
    // Every step leaves the console clean: no error, no uncaught exception, no failed request.
    const seen = problems.splice(0);
    expect(seen).toEqual([]);
  });

  it('sends a visitor to the sign-in page, then signs the admin in to the home page', async () => {
    const registration = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/registration'));
    await page.goto('/');
    await page.waitForURL(/\/sign-in/);
    // The server has accounts: no first-start offer.
    expect(await (await registration).json()).toEqual({ firstAccount: false, open: false });
    expect(await page.getByRole('link', { name: 'Create the administrator account' }).count()).toBe(0);
    await screenshot(page, '01-sign-in');
    await signIn(admin);
    await page.getByRole('heading', { name: 'Recently added' }).waitFor();
    await page
      .getByRole('link', { name: /^Plain/ })
      .first()
      .waitFor();
    await screenshot(page, '02-home');
  });

  it('browses the films in the poster grid', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Films' }).click();
    await page.getByRole('heading', { name: 'Films', level: 1 }).waitFor();
    await page.getByRole('status').filter({ hasText: 'in all' }).waitFor();
    const cards = page.locator('mq-poster-card');
    await expect(cards.filter({ hasText: 'Plain' }).count()).resolves.toBe(1);
    await expect(cards.filter({ hasText: 'Broken' }).count()).resolves.toBe(1);
    await screenshot(page, '03-films');
  });

  it('plays the film until its time advances, and keeps the resume point', async () => {
    await page.locator('mq-poster-card').filter({ hasText: 'Plain' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'Plain', level: 1 }).waitFor();
    await screenshot(page, '04-film');
    await page.getByRole('link', { name: 'Play', exact: true }).click();
    await page.waitForURL(new RegExp(`/play/${filmId}`));
    const video = page.locator('video');
    await video.waitFor();
    await page.waitForFunction(
      () => ((globalThis as unknown as PageGlobals).document.querySelector('video')?.readyState ?? 0) >= 1,
      undefined,
      { timeout: 20_000 },
    );
    if (await video.evaluate((v) => (v as unknown as MediaState).paused)) await page.getByRole('button', { name: 'Play video' }).click();
    await page.waitForFunction(
      () => ((globalThis as unknown as PageGlobals).document.querySelector('video')?.currentTime ?? 0) > 1.2,
      undefined,
      {
        timeout: 20_000,
      },
    );
    // The player's own clock follows (on the element's next timeupdate).
    await page
      .getByTestId('current-time')
      .filter({ hasText: /^\s*0:0[1-8]\s*$/ })
      .waitFor();
    // Direct play: the browser reads the file itself (the element's source is the stream URL, not hls.js's blob:).
    await expect(page.locator('p.method').textContent()).resolves.toMatch(/^\s*Direct play\b/);
    const source = await video.evaluate((v) => (v as unknown as { currentSrc: string }).currentSrc);
    expect(source).not.toMatch(/^blob:/);
    expect(new URL(source).pathname).toBe(`/api/v1/stream/${filmId}`);
    await screenshot(page, '05-player');
    await page.getByRole('button', { name: 'Pause video' }).click();
    const paused = await video.evaluate((v) => (v as unknown as MediaState).currentTime * 1000);
    // Pausing reports the position: the server keeps it as this user's resume point.
    const resume = await waitFor(async () => {
      const res = await http().get(`/api/v1/items/${filmId}/user-data`).set(bearer(admin));
      return Math.abs(res.body.positionMs - paused) < 250 ? (res.body.positionMs as number) : undefined;
    }, 'the resume point where the video paused');
    expect(resume).toBeGreaterThan(1000);
  }, 90_000);

  it('plays a Matroska film through HLS (hls.js) with its subtitles', async () => {
    await page.goto(`/play/${mkvId}`);
    await page.getByText(/Streaming \(HLS\): container mkv not supported/).waitFor();
    const video = page.locator('video');
    await page.waitForFunction(
      () => ((globalThis as unknown as PageGlobals).document.querySelector('video')?.readyState ?? 0) >= 1,
      undefined,
      {
        timeout: 30_000,
      },
    );
    if (await video.evaluate((v) => (v as unknown as MediaState).paused)) await page.getByRole('button', { name: 'Play video' }).click();
    await page.waitForFunction(
      () => ((globalThis as unknown as PageGlobals).document.querySelector('video')?.currentTime ?? 0) > 1.2,
      undefined,
      {
        timeout: 30_000,
      },
    );
    // hls.js feeds the element through Media Source Extensions: the source is a blob: URL, not the playlist.
    await expect(video.evaluate((v) => (v as unknown as { currentSrc: string }).currentSrc)).resolves.toMatch(/^blob:/);

    const subtitles = page.getByLabel('Subtitles');
    await expect(subtitles.locator('option').count()).resolves.toBe(2);
    await subtitles.selectOption({ index: 1 });
    await page.waitForFunction(() => {
      const element = (globalThis as unknown as PageGlobals).document.querySelector('video') as unknown as {
        textTracks: ArrayLike<{ mode: string; cues: ArrayLike<{ text: string }> | null }>;
      };
      const track = element.textTracks[0];
      return track?.mode === 'showing' && (track.cues?.length ?? 0) === 2 && track.cues![0].text === 'Hello';
    });
    // Trickplay: pointing at the seek bar shows the thumbnail of that moment from the sprite sheet.
    await page.locator('.seek').hover({ position: { x: 60, y: 8 } });
    const preview = page.locator('.seek .preview');
    await preview.waitFor();
    await expect(
      preview.evaluate((el) => (el as unknown as { style: { backgroundImage: string } }).style.backgroundImage),
    ).resolves.toMatch(/trickplay\/0\.jpg/);
    await screenshot(page, '05b-player-hls');
    await page.getByRole('button', { name: 'Pause video' }).click();
    // Leaving ends this viewer's transcode at once.
    const stopped = page.waitForResponse((res) => res.request().method() === 'DELETE' && res.url().endsWith(`/api/v1/stream/${mkvId}/hls`));
    await page.getByRole('link', { name: '← Boxed' }).click();
    expect((await stopped).status()).toBe(200);
  }, 90_000);

  it('retries a failed job from the dashboard, and the table follows it live', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await page.locator('mq-queue-card[data-queue="media-probe"], [data-queue="media-probe"]').first().waitFor();
    await page.getByLabel('State').selectOption('failed');
    const row = page.locator(`tr[data-job-id="${failedProbeId}"]`);
    await row.waitFor();
    await screenshot(page, '06-jobs');
    await row.getByRole('button').click();
    const drawer = page.getByRole('dialog');
    await drawer.getByTestId('job-error').waitFor();
    await expect(drawer.getByTestId('job-error').textContent()).resolves.toMatch(/Broken \(2019\)\.mkv/);
    await screenshot(page, '07-job-detail', { fullPage: false });
    await drawer.getByRole('button', { name: 'Retry' }).click();
    const notice = await page.getByText(/^Retried: the new job is /).textContent();
    const retriedId = notice!.replace(/^Retried: the new job is /, '').replace(/\.$/, '');
    expect(retriedId).not.toBe(failedProbeId);
    const retried = await http().get(`/api/v1/jobs/${retriedId}`).set(bearer(admin));
    expect(retried.status).toBe(200);
    expect((retried.body as JobDetailView).payload).toEqual(
      (await http().get(`/api/v1/jobs/${failedProbeId}`).set(bearer(admin))).body.payload,
    );
    // The file is still corrupt: the new job fails too, and arrives in the filtered table without a reload.
    await page.locator(`tr[data-job-id="${retriedId}"][data-state="failed"]`).waitFor({ timeout: 90_000 });
    await page.getByRole('button', { name: 'Close the job details' }).click();
    // Focus goes back to the row the details were opened from.
    await page.waitForFunction(
      (id) => (globalThis as unknown as FocusGlobals).document.activeElement?.closest('tr')?.getAttribute('data-job-id') === id,
      failedProbeId,
    );
    // The queue card's counts followed: two failed probes now, without a reload.
    const probeCard = page.locator('article[data-queue="media-probe"]');
    await probeCard
      .locator('[data-count="failed"] dd')
      .filter({ hasText: /^\s*2\s*$/ })
      .waitFor();

    // A concurrency being typed survives the live refreshes of the card (pausing and resuming refresh it).
    const concurrency = probeCard.getByLabel('Concurrency of media-probe', { exact: true });
    await concurrency.fill('3');
    await probeCard.getByRole('button', { name: 'Pause media-probe' }).click();
    await probeCard.getByText('paused', { exact: true }).waitFor();
    await probeCard.getByRole('button', { name: 'Resume media-probe' }).click();
    await probeCard.getByText('paused', { exact: true }).waitFor({ state: 'detached' });
    await expect(concurrency.inputValue()).resolves.toBe('3');
    await probeCard.getByRole('button', { name: 'Set the concurrency of media-probe' }).click();
    await page.getByText('media-probe runs 3 at a time per worker (applied within 5 s).').waitFor();
    // Once the server holds it, the field follows the server again: nothing left to set.
    await probeCard.getByRole('button', { name: 'Set the concurrency of media-probe', disabled: true }).waitFor();
    await expect(concurrency.inputValue()).resolves.toBe('3');
    const queues = await http().get('/api/v1/queues').set(bearer(admin));
    expect((queues.body as { name: string; concurrency: number; paused: boolean }[]).find((q) => q.name === 'media-probe')).toMatchObject({
      concurrency: 3,
      paused: false,
    });
  }, 150_000);

  it("edits the film's title, and the new title sticks after a reload", async () => {
    await page.goto(`/items/${filmId}`);
    await page.getByRole('link', { name: 'Edit metadata' }).click();
    await page.getByRole('heading', { name: 'Edit metadata' }).waitFor();
    const title = page.getByLabel('Title', { exact: true });
    await expect(title.inputValue()).resolves.toBe('Plain');
    // The scrapers find it (the file name scraper at least), best match first.
    await page.getByRole('button', { name: 'Identify' }).click();
    const candidate = page.locator('.candidates li').first();
    await candidate.waitFor();
    await expect(candidate.textContent()).resolves.toMatch(/Plain\s*\(2020\)/);
    await title.fill('Plain Sailing');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved\./).waitFor();
    await page.locator('#lock-title').filter({ hasText: 'Locked' }).waitFor();
    await screenshot(page, '08-metadata-editor');
    // A reload starts the client afresh: the session comes back from the refresh cookie.
    await page.reload();
    await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe('Plain Sailing');
    await page.getByText('Plain → Plain Sailing').waitFor();
    await page.goto(`/items/${filmId}`);
    await page.getByRole('heading', { name: 'Plain Sailing', level: 1 }).waitFor();
    const stored = await sql.query<{ title: string }>(`SELECT title FROM media_items WHERE id = $1`, [filmId]);
    expect(stored.rows[0].title).toBe('Plain Sailing');
  });

  it('shows the health page and the account page', async () => {
    await page.goto('/admin/plugins');
    await page.getByRole('heading', { name: 'Plugins', level: 1 }).waitFor();
    await page.getByText('No plugins installed.').waitFor();
    await page.getByRole('table').getByText('builtin:nfo').waitFor();
    await page.goto('/admin/health');
    await page.getByText('Ready: every check passes.').waitFor();
    await page.getByText(/alive/).first().waitFor();
    await screenshot(page, '09-health');
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Where you are signed in' }).waitFor();
    await page.getByText('(this browser)').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Living-room TV');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByTestId('new-api-key').textContent();
    expect(key).toMatch(/^mq_/);
    expect((await http().get('/api/v1/auth/me').set('X-Api-Key', key!)).status).toBe(200);
    await screenshot(page, '10-account');
  });

  it('signs out, signs a user in, and refuses them the admin pages', async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await signIn(user);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Jobs' }).count()).resolves.toBe(0);
    for (const path of ['/admin/jobs', '/admin/users', `/admin/items/${filmId}/edit`]) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'Administrators only' }).waitFor();
    }
    await screenshot(page, '11-user-refused');
    // The API refuses them too, whatever the client shows.
    expect((await http().get('/api/v1/jobs').set(bearer(user))).status).toBe(403);
  });

  it('browses a series down to its episodes', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Series' }).click();
    await page.locator('mq-poster-card').filter({ hasText: 'The Show' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'The Show', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Seasons' }).waitFor();
    await page.locator('mq-poster-card').first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Episodes' }).waitFor();
    const episodes = page.locator('.tracklist li');
    await episodes.nth(1).waitFor();
    await expect(episodes.allTextContents()).resolves.toEqual([
      expect.stringMatching(/^S01E01\s*Pilot/),
      expect.stringMatching(/^S01E02\s*Second/),
    ]);
    await page.getByRole('link', { name: 'Pilot', exact: true }).click();
    await page.getByRole('heading', { name: 'Pilot', level: 1 }).waitFor();
    await page.getByText('S01E01').first().waitFor();
    await page.getByRole('link', { name: 'Play', exact: true }).waitFor();
    await screenshot(page, '12-episode');
  });

  it('opens a gallery picture full size', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Galleries' }).click();
    await page.locator('mq-poster-card').filter({ hasText: 'Trip' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'Pictures' }).waitFor();
    await page.getByRole('button', { name: /^View a/ }).click();
    const picture = page.getByRole('dialog').getByRole('img');
    await picture.waitFor();
    await page.waitForFunction(() => {
      const image = (globalThis as unknown as PageGlobals).document.querySelector('dialog img') as unknown as {
        naturalWidth: number;
      } | null;
      return (image?.naturalWidth ?? 0) === 320;
    });
    await screenshot(page, '13-gallery');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });

  it('opens a gallery picture from the keyboard; Escape closes it and focus returns to its thumbnail', async () => {
    const thumbnail = page.getByRole('button', { name: /^View b/ });
    await thumbnail.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('img').waitFor();
    // A modal dialog (the rest of the page is inert, so focus stays inside), with focus on its Close button.
    await expect(dialog.evaluate((d) => (d as unknown as { matches(s: string): boolean }).matches(':modal'))).resolves.toBe(true);
    await page.waitForFunction(() => {
      const active = (globalThis as unknown as FocusGlobals).document.activeElement;
      return active?.tagName === 'BUTTON' && active.closest('dialog') !== null;
    });
    await expect(focused(page)).resolves.toMatchObject({ text: 'Close', inDialog: true, ring: true });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(focused(page)).resolves.toMatchObject({ label: 'View b', ring: true });
  });

  it('searches as you type, keeps favourites and fills a playlist', async () => {
    await page.getByLabel('Search the library').pressSequentially('sail', { delay: 40 });
    await page.waitForURL(/\/search\?q=sail$/);
    await page.getByText(/^\s*1 result for “sail”\s*$/).waitFor();
    await page.locator('mq-poster-card').filter({ hasText: 'Plain Sailing' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'Plain Sailing', level: 1 }).waitFor();
    await page.getByRole('button', { name: '☆ Add to favourites' }).click();
    await page.getByRole('button', { name: '★ Favourite' }).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Favourites' }).click();
    await page.locator('mq-poster-card').filter({ hasText: 'Plain Sailing' }).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playlists' }).click();
    await page.getByLabel('New playlist').fill('Evening');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Evening' }).waitFor();
    await page.goto(`/items/${filmId}`);
    await page.getByLabel('Add to playlist').click();
    await page.getByLabel('Add to playlist').locator('option', { hasText: 'Evening' }).waitFor({ state: 'attached' });
    await page.getByLabel('Add to playlist').selectOption({ label: 'Evening' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Added to Evening.').waitFor();
    await page.goto('/playlists');
    await page.getByRole('link', { name: 'Evening' }).click();
    await page.getByRole('heading', { name: 'Evening', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Plain Sailing' }).waitFor();
    await screenshot(page, '14-playlist');
  });

  it('plays an album in the music bar, which shows its format and keeps playing across pages', async () => {
    await page.goto('/browse/music');
    await page.locator('mq-poster-card').filter({ hasText: 'Hi-Res' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'Hi-Res', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    const bar = page.getByRole('region', { name: 'Music player' });
    await bar.getByLabel('Audio format').filter({ hasText: '24-bit · 96 kHz' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Favourites' }).click();
    await page.getByRole('heading', { name: 'Favourites', level: 1 }).waitFor();
    // Still playing on another page: the bar's clock moves on.
    await expect(bar.getByTestId('music-position').textContent()).resolves.toMatch(/^0:0\d$/);
    await page.waitForFunction(() => {
      const clock =
        (globalThis as unknown as PageGlobals).document.querySelector('[data-testid="music-position"]')?.textContent?.trim() ?? '0:00';
      return clock !== '0:00' && clock !== '0:01';
    });
    await screenshot(page, '15-music-bar');
    // The queue is the account's: the server has it, and a fresh start of the client (another device) picks it up, paused.
    const saved = await http().get('/api/v1/me/queue').set(bearer(user));
    expect((saved.body as PlayQueueView).entries.items.map((e) => e.item.title)).toEqual(['First', 'Second']);
    await page.reload();
    await bar.getByRole('link', { name: /^(First|Second)$/ }).waitFor();
    await bar.getByRole('button', { name: 'Play music' }).waitFor();
    await bar.getByLabel('Audio format').filter({ hasText: '24-bit · 96 kHz' }).waitFor();
    await bar.getByRole('button', { name: 'Stop and clear the queue' }).click();
    await bar.waitFor({ state: 'detached' });
    await waitFor(
      async () => ((await http().get('/api/v1/me/queue').set(bearer(user))).body.entries.total === 0 ? true : undefined),
      'the cleared queue on the server',
    );
  });

  it('a request refused with 401 refreshes the token once and is retried with the new one', async () => {
    // The server refuses the next favourites request as it would an expired access token.
    const authorizations: string[] = [];
    page.on('request', (req) => {
      if (req.url().includes('/api/v1/me/favorites')) authorizations.push(req.headers()['authorization'] ?? '');
    });
    let refused = false;
    const favourites = (url: URL) => url.pathname === '/api/v1/me/favorites';
    await page.route(favourites, (route) => {
      if (refused) return route.continue();
      refused = true;
      return route.fulfill({
        status: 401,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The access token has expired' }),
      });
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    const refreshed = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/refresh') && res.status() === 200);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Favourites' }).click();
    await refreshed;
    await page.locator('mq-poster-card').filter({ hasText: 'Plain Sailing' }).waitFor();
    await page.unroute(favourites);
    expect(authorizations).toHaveLength(2);
    expect(authorizations[0]).toMatch(/^Bearer /);
    expect(authorizations[1]).toMatch(/^Bearer /);
    expect(authorizations[1]).not.toBe(authorizations[0]);
    expectOnlyRefusals(problems, base, ['HTTP 401 GET /api/v1/me/favorites?limit=500']);
  });

  it('a revoked session refreshes once, then sends the user to the sign-in page saying why', async () => {
    // The browser's session, ended from elsewhere (the seeded session of the same user lists it).
    const sessions = await http().get('/api/v1/sessions').set(bearer(user));
    const browserSessions = (sessions.body as { id: string }[]).filter((s) => s.id !== user.sessionId);
    expect(browserSessions).toHaveLength(1);
    await http().delete(`/api/v1/sessions/${browserSessions[0].id}`).set(bearer(user)).expect(204);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playlists' }).click();
    await page.waitForURL(/\/sign-in\?next=%2Fplaylists$/);
    await page.getByText('Your session has ended. Sign in again.').waitFor();
    // Exactly: the request refused, one refresh refused, and nothing else.
    expectOnlyRefusals(problems, base, ['HTTP 401 GET /api/v1/playlists?limit=500', 'HTTP 401 POST /api/v1/auth/refresh']);
    await screenshot(page, '16-session-ended');
    await signIn(user);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/');
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Films' }).waitFor();
    const overflow = await page.evaluate(() => {
      const root = (globalThis as unknown as PageGlobals).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, '17-phone-home');
  });

  it('signs in with the keyboard alone, showing where the focus is', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    // Focus starts in the form; Tab walks it in order, and every stop shows a focus ring.
    await page.waitForFunction(() => (globalThis as unknown as FocusGlobals).document.activeElement?.id === 'username');
    await expect(focused(page)).resolves.toMatchObject({ id: 'username', ring: true });
    await page.keyboard.type(admin.username);
    await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toMatchObject({ id: 'password', ring: true });
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Tab');
    await expect(focused(page)).resolves.toMatchObject({ tag: 'BUTTON', text: 'Sign in', ring: true });
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).waitFor();
  });

  it('a screen whose data fails to load says why, in the server’s words', async () => {
    const down = 'The settings store is unavailable right now';
    const failing = ['/api/v1/settings', '/api/v1/libraries', '/api/v1/plugins/network-policy', '/api/v1/auth/registration'];
    const refuse = (url: URL) => failing.includes(url.pathname);
    await page.route(refuse, (route) =>
      route.request().method() === 'GET' ? route.fulfill(problemResponse(503, down)) : route.continue(),
    );
    try {
      await page.goto('/admin/users');
      await page
        .getByRole('alert')
        .filter({ hasText: `Whether anyone may register could not be loaded: ${down}` })
        .waitFor();
      await page.getByRole('cell', { name: admin.username, exact: true }).waitFor();
      // Each row's buttons say whom they act on.
      for (const action of ['Disable', 'Reset password of', 'Delete'])
        await page.getByRole('button', { name: `${action} ${user.username}`, exact: true }).waitFor();
      expectOnlyRefusals(problems, base, ['HTTP 503 GET /api/v1/settings']);

      await page.goto('/admin/jobs');
      await page
        .getByRole('alert')
        .filter({ hasText: `The libraries to scan could not be loaded: ${down}` })
        .waitFor();
      expectOnlyRefusals(problems, base, ['HTTP 503 GET /api/v1/libraries']);

      await page.goto('/admin/plugins');
      await page
        .getByRole('alert')
        .filter({ hasText: `The network policy could not be loaded: ${down}` })
        .waitFor();
      expectOnlyRefusals(problems, base, ['HTTP 503 GET /api/v1/plugins/network-policy']);

      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: `Could not check whether this server is new: ${down}` })
        .waitFor();
      expectOnlyRefusals(problems, base, ['HTTP 503 GET /api/v1/auth/registration']);
    } finally {
      await page.unroute(refuse);
    }
    // The form still works.
    await signIn(admin);
  });

  it('fits a phone screen: the player, a job’s details, the metadata editor and the account page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`/play/${filmId}`);
      await page.waitForFunction(() => ((globalThis as unknown as PageGlobals).document.querySelector('video')?.readyState ?? 0) >= 1);
      await page.getByRole('button', { name: /^(Play|Pause) video$/ }).waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await screenshot(page, '18-phone-player');

      await page.goto('/admin/jobs');
      await page.getByLabel('State').selectOption('failed');
      const row = page.locator(`tr[data-job-id="${failedProbeId}"]`);
      await row.getByRole('button').click();
      const drawer = page.getByRole('dialog');
      await drawer.getByTestId('job-error').waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await screenshot(page, '19-phone-job-detail', { fullPage: false });
      // Escape closes the details and gives focus back to the row.
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'detached' });
      await page.waitForFunction(
        (id) => (globalThis as unknown as FocusGlobals).document.activeElement?.closest('tr')?.getAttribute('data-job-id') === id,
        failedProbeId,
      );
      expect(await sidewaysOverflow(page)).toBe(0);

      await page.goto(`/admin/items/${filmId}/edit`);
      await page.getByRole('heading', { name: 'Edit metadata' }).waitFor();
      await page.getByText('Plain → Plain Sailing').waitFor();
      await page.getByRole('checkbox', { name: 'Unlock Title', exact: true }).waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await screenshot(page, '20-phone-metadata-editor');

      await page.goto('/account');
      await page.getByText('(this browser)').waitFor();
      await page.getByRole('cell', { name: 'Living-room TV', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Revoke key Living-room TV', exact: true }).waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      // Its tables reflow into labelled cards rather than scrolling sideways inside their box.
      const tables = await page.locator('.table-wrap').evaluateAll((wraps) =>
        (wraps as unknown as StackedTableWrap[]).map((wrap) => ({
          sideways: wrap.scrollWidth - wrap.clientWidth,
          labels: [...wrap.querySelectorAll('tbody tr:first-child td[data-label]')].map(
            (cell) => (globalThis as unknown as PseudoStyleGlobals).getComputedStyle(cell, '::before').content,
          ),
        })),
      );
      // Each value is labelled on screen; the label is not read out (empty alternative text after the slash).
      const label = (text: string) => `"${text}" / ""`;
      expect(tables).toEqual([
        { sideways: 0, labels: ['Device', 'Address', 'Last used', 'Signed in'].map(label) },
        { sideways: 0, labels: ['Name', 'Key', 'Scopes', 'Last used'].map(label) },
      ]);
      await screenshot(page, '21-phone-account');
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  }, 60_000);
});

describeWithChromium(`first start in headless Chromium${chromiumAvailable ? '' : ` (skipped: no Chromium at ${CHROMIUM_PATH})`}`, () => {
  let db: ScratchDatabase;
  let api: NestExpressApplication;
  let worker: INestApplicationContext;
  let media: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let base: string;

  beforeAll(async () => {
    if (!clientBuilt()) throw new Error('The client is not built: run `npm run build:admin` (npm test builds it when stale)');
    media = mkdtempSync(join(tmpdir(), 'marquee-client-first-'));
    await makeImage(join(media, 'Holiday', 'beach.jpg'), { width: 320, height: 200 });
    db = await createScratchDatabase();
    const config = testConfig({ env: { DATABASE_URL: db.url, MARQUEE_WATCH: 'false' } });
    api = await startApi(config);
    worker = await startWorker(config);
    base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await newContext(browser, base);
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    problems = watchForErrors(page);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await worker?.close();
    await api?.close();
    await db?.drop();
    if (media) rmSync(media, { recursive: true, force: true });
  });

  afterEach(() => {
    const seen = problems.splice(0);
    expect(seen).toEqual([]);
  });

  it('sends the first visitor of a new server on to create the administrator', async () => {
    await page.goto('/');
    await page.waitForURL(/\/setup$/);
    await page.getByRole('heading', { name: 'Create the administrator account' }).waitFor();
    await page.getByLabel('Username').fill('ripley');
    await page.getByLabel('Password', { exact: true }).fill('nostromo crew of seven');
    await page.getByLabel('Repeat the password').fill('nostromo crew of seven');
    await screenshot(page, 'first-01-setup');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    await page.getByRole('heading', { name: 'Libraries', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).waitFor();
  });

  it('adds a library folder, refuses a bad one with the server’s reason, and scans', async () => {
    await page.getByLabel('Name').fill('Pictures');
    await page.getByLabel('Kind').selectOption('images');
    await page.getByLabel('Folder on the server').fill('/no/such/folder');
    await page.getByRole('button', { name: 'Add and scan' }).click();
    // The problem+json detail, as the server words it, names the folder.
    await page.getByRole('alert').filter({ hasText: '/no/such/folder' }).waitFor();
    expectOnlyRefusals(problems, base, ['HTTP 400 POST /api/v1/libraries']);

    await page.getByLabel('Folder on the server').fill(media);
    await page.getByRole('button', { name: 'Add and scan' }).click();
    await page.getByText('Library Pictures added; its first scan is queued.').waitFor();
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      await waitFor(
        async () =>
          (await sql.query(`SELECT 1 FROM media_items WHERE type = 'gallery' AND title = 'Holiday'`)).rowCount ? true : undefined,
        'the scan of the new library',
        60_000,
        250,
      );
    } finally {
      await sql.end();
    }
    await page.reload();
    await page.getByText(/\(images, [1-9]\d* items?\)/).waitFor();
    await page.getByRole('button', { name: 'Scan now Pictures' }).click();
    await page.getByText(/^(Scan of Pictures queued\.|A scan of Pictures is already queued\.)$/).waitFor();
    const reprobe = page.waitForResponse((res) => res.url().endsWith('/reprobe') && res.request().method() === 'POST');
    await page.getByRole('button', { name: 'Probe again Pictures' }).click();
    expect((await reprobe).status()).toBe(202);
    await page.getByText(/^Pictures is (already )?queued to be probed again\.$/).waitFor();
    await screenshot(page, 'first-02-libraries');
  }, 90_000);

  it('closes registration once the administrator exists, and says so', async () => {
    const registration = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/registration'));
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    // The sign-in page no longer offers it; the setup page, reached directly, gets the server's refusal.
    expect(await (await registration).json()).toEqual({ firstAccount: false, open: false });
    expect(await page.getByRole('link', { name: 'Create the administrator account' }).count()).toBe(0);
    await page.goto('/setup');
    await page.getByLabel('Username').fill('dallas');
    await page.getByLabel('Password', { exact: true }).fill('captain of the nostromo');
    await page.getByLabel('Repeat the password').fill('captain of the nostromo');
    await page.getByRole('button', { name: 'Create and sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Registration is closed; ask an administrator for an account' }).waitFor();
    expectOnlyRefusals(problems, base, ['HTTP 403 POST /api/v1/auth/register']);
    await screenshot(page, 'first-03-registration-closed');
  });
});
