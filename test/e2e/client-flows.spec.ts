import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type {
  AccountView,
  ApiKeyView,
  ItemDetail,
  ItemSummary,
  JobDetailView,
  JobRunView,
  LibraryView,
  NetworkPolicyView,
  PageOf,
  PlaylistDetail,
  PlayQueueView,
  PluginView,
  ServerSettingsView,
  SessionView,
} from '@marquee/contracts';
import pg from 'pg';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import request from 'supertest';
import { projectRoot } from '../../libs/core/src/index.js';
import { bearer, createAccount, seedAccounts, type TestAccount } from '../helpers/accounts.js';
import { latestAudioElement, recordAudioElements } from '../helpers/audio-elements.js';
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
import { DialogAnswers } from '../helpers/dialogs.js';
import { expectOnlyRefusals } from '../helpers/expected-refusals.js';
import { makeCorrupt, makeFlac, makeImage, makeVideo } from '../helpers/media-fixtures.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { startApi, startWorker } from '../helpers/test-apps.js';
import { testConfig } from '../helpers/test-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForScanAndJobs } from '../helpers/wait-for-scan.js';

/**
 * The web client's everyday flows end to end, beyond the first look of client.spec.ts: home shelves and
 * resuming, browse filters, the artist page, the music bar's controls, playlists, the job dashboard's
 * actions, the metadata editor, and the users, libraries, plugins and account pages. Each step checks what
 * the person sees and, where it matters, what the server now holds. Screenshots go to test-results/screenshots/.
 */

/** What the tests read of a <video> (the tsconfig has no DOM types). */
interface VideoState {
  paused: boolean;
  ended: boolean;
  currentTime: number;
  readyState: number;
  played: { length: number; start(index: number): number };
}

interface PageGlobals {
  document: { querySelector(selector: string): unknown };
}

const describeWithChromium = chromiumAvailable ? describe : describe.skip; // skipped without Debian's chromium; reported below
if (!chromiumAvailable) {
  process.stdout.write(`\n[client flows e2e] skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's chromium package)\n`);
}

describeWithChromium(
  `web client flows in headless Chromium${chromiumAvailable ? '' : ` (skipped: no Chromium at ${CHROMIUM_PATH})`}`,
  () => {
    let db: ScratchDatabase;
    let api: NestExpressApplication;
    let worker: INestApplicationContext;
    let sql: pg.Client;
    let admin: TestAccount;
    let media: string;
    let base: string;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let problems: string[];
    let dialogs: DialogAnswers;
    const libraries: Record<string, string> = {};
    const ids: Record<string, string> = {};

    const http = () => request(api.getHttpServer());
    const main = () => page.getByRole('navigation', { name: 'Main' });
    const jobFilters = () => page.getByRole('form', { name: 'Filter jobs' });

    const signIn = (account: { username: string; password: string }) => signInThrough(page, account);

    /** Waits until the texts of `locator` are exactly `expected`, in order (and says what it saw if not). */
    async function expectTexts(locator: Locator, expected: string[], what: string): Promise<void> {
      let last: string[] = [];
      try {
        await waitFor(
          async () => {
            last = (await locator.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
            return JSON.stringify(last) === JSON.stringify(expected) ? true : undefined;
          },
          what,
          15_000,
          100,
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}: saw ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`);
      }
    }

    const itemId = async (title: string, type: string): Promise<string> =>
      (await sql.query<{ id: string }>(`SELECT id FROM media_items WHERE title = $1 AND type = $2`, [title, type])).rows[0].id;

    async function item(id: string): Promise<ItemDetail> {
      const res = await http().get(`/api/v1/items/${id}`).set(bearer(admin));
      expect(res.status).toBe(200);
      return res.body as ItemDetail;
    }

    beforeAll(async () => {
      if (!clientBuilt()) throw new Error('The client is not built: run `npm run build:admin` (npm test builds it when stale)');
      media = mkdtempSync(join(tmpdir(), 'marquee-client-flows-'));
      const track = (file: string, title: string, album: string, number: string, seconds: number) =>
        makeFlac(join(media, 'music', 'The Band', album, file), {
          seconds,
          tags: { title, artist: 'The Band', album_artist: 'The Band', album, track: number },
        });
      await Promise.all([
        makeVideo(join(media, 'movies', 'Plain (2020)', 'Plain (2020).mp4'), { container: 'mp4', seconds: 8 }),
        makeVideo(join(media, 'movies', 'Alpha (1999)', 'Alpha (1999).mkv'), { seconds: 1 }),
        makeVideo(join(media, 'movies', 'Zulu (2005)', 'Zulu (2005).mkv'), { seconds: 1 }),
        // A picture beside the film that no scan takes as artwork: the editor offers it as a candidate.
        makeImage(join(media, 'movies', 'Zulu (2005)', 'still.jpg'), { width: 640, height: 360 }),
        makeCorrupt(join(media, 'broken', 'Broken One (2019)', 'Broken One (2019).mkv'), 'truncated-mkv'),
        makeCorrupt(join(media, 'broken', 'Broken Two (2018)', 'Broken Two (2018).mkv'), 'truncated-mkv'),
        makeCorrupt(join(media, 'broken', 'Broken Three (2017)', 'Broken Three (2017).mkv'), 'truncated-mkv'),
        track('01 First.flac', 'First', 'Hi-Res', '1/3', 20),
        track('02 Second.flac', 'Second', 'Hi-Res', '2/3', 20),
        track('03 Third.flac', 'Third', 'Hi-Res', '3/3', 20),
        track('01 Other.flac', 'Other', 'Lo-Fi', '1/1', 2),
        // Not in any library at first: the libraries page adds it as a second folder.
        makeVideo(join(media, 'more', 'Newcomer (2015)', 'Newcomer (2015).mkv'), { seconds: 1 }),
      ]);

      db = await createScratchDatabase();
      const config = testConfig({ env: { DATABASE_URL: db.url, MARQUEE_WATCH: 'false' } });
      api = await startApi(config);
      worker = await startWorker(config);
      ({ admin } = await seedAccounts(api));
      sql = new pg.Client({ connectionString: db.url });
      await sql.connect();
      for (const [name, kind, folder] of [
        ['My films', 'movies', 'movies'],
        ['Broken films', 'movies', 'broken'],
        ['My music', 'music', 'music'],
      ] as const) {
        const since = new Date(Date.now() - 5);
        const res = await http()
          .post('/api/v1/libraries')
          .set(bearer(admin))
          .send({ name, kind, folders: [join(media, folder)] });
        expect(res.status).toBe(201);
        libraries[name] = (res.body as LibraryView).id;
        await waitForScanAndJobs(sql, since);
      }
      for (const [title, type] of [
        ['Plain', 'movie'],
        ['Alpha', 'movie'],
        ['Zulu', 'movie'],
        ['The Band', 'artist'],
        ['Hi-Res', 'album'],
        ['First', 'track'],
        ['Second', 'track'],
        ['Third', 'track'],
      ]) {
        ids[title] = await itemId(title, type);
      }
      await waitFor(
        async () =>
          (
            await sql.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM job_runs WHERE queue = 'media-probe' AND state = 'failed' AND "targetLabel" LIKE 'Broken%'`,
            )
          ).rows[0].n === 3 || undefined,
        'the probes of the three corrupt files to fail',
        120_000,
        250,
      );

      base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
      browser = await launchChromium();
      context = await newContext(browser, base);
      await recordAudioElements(context);
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
      problems = watchForErrors(page);
      dialogs = new DialogAnswers(page);
      await signIn(admin);
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
      // Every step leaves the console clean and answered exactly the dialogs it expected.
      expect(problems.splice(0)).toEqual([]);
      expect(dialogs.unexpected.splice(0)).toEqual([]);
      expect(dialogs.pending).toBe(0);
    });

    it('lists a started film under "Continue watching", resumes it there, and once finished it is under "Recently played"', async () => {
      await http().put(`/api/v1/items/${ids.Plain}/user-data`).set(bearer(admin)).send({ positionMs: 4000 }).expect(200);
      await page.goto('/');
      const resume = page.getByRole('region', { name: 'Continue watching' });
      const played = page.getByRole('region', { name: 'Recently played' });
      await resume.getByRole('link', { name: /^Plain\b/ }).waitFor();
      await played.getByText('Nothing played yet.').waitFor();
      // The card shows how far in it is (4 s of 8).
      await expect(
        resume.locator('.progress > span').evaluate((bar) => (bar as unknown as { style: { width: string } }).style.width),
      ).resolves.toBe('50%');
      await screenshot(page, 'flows-01-home-continue-watching');

      await resume.getByRole('link', { name: /^Plain\b/ }).click();
      await page.getByRole('heading', { name: 'Plain', level: 1 }).waitFor();
      await page.getByRole('link', { name: /^Play from the start$/ }).waitFor();
      await page.getByRole('link', { name: /^Resume from 0:04$/ }).click();
      await page.waitForURL(new RegExp(`/play/${ids.Plain}$`));
      await page.waitForFunction(
        () => {
          const video = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoState | null;
          return !!video && video.played.length > 0 && video.currentTime > 4.2;
        },
        undefined,
        { timeout: 20_000 },
      );
      // Playback began at the resume point: the first stretch the element played starts at 4 s, not at 0.
      const firstPlayed = await page.locator('video').evaluate((v) => (v as unknown as VideoState).played.start(0));
      expect(firstPlayed).toBeGreaterThanOrEqual(3.9);
      expect(firstPlayed).toBeLessThan(4.5);

      // Played to the end, the film counts as played: the resume point goes, a play is in the history.
      await page.waitForFunction(
        () => ((globalThis as unknown as PageGlobals).document.querySelector('video') as VideoState | null)?.ended === true,
        undefined,
        { timeout: 20_000 },
      );
      await waitFor(async () => {
        const res = await http().get(`/api/v1/items/${ids.Plain}/user-data`).set(bearer(admin));
        return res.body.played === true && res.body.positionMs === 0 ? true : undefined;
      }, 'the finished film to be played');
      await main().getByRole('link', { name: 'Home' }).click();
      await played.getByRole('link', { name: /^Plain\b/ }).waitFor();
      await resume.getByText(/^Nothing in progress/).waitFor();
      await expect(resume.getByRole('link', { name: /^Plain\b/ }).count()).resolves.toBe(0);
      await screenshot(page, 'flows-02-home-recently-played');

      // Home's own link, clicked on Home, loads the shelves again.
      const reloaded = page.waitForRequest((request) => new URL(request.url()).pathname === '/api/v1/me/resume', { timeout: 10_000 });
      await main().getByRole('link', { name: 'Home' }).click();
      await reloaded;
      await played.getByRole('link', { name: /^Plain\b/ }).waitFor();
    }, 90_000);

    it('filters the films by genre and year, and sorts them', async () => {
      for (const [id, genres] of [
        [ids.Alpha, ['Drama']],
        [ids.Zulu, ['Drama', 'War']],
        [ids.Plain, ['Comedy']],
      ] as const) {
        await http().patch(`/api/v1/items/${id}`).set(bearer(admin)).send({ genres }).expect(200);
      }
      await main().getByRole('link', { name: 'Films' }).click();
      await page.getByRole('heading', { name: 'Films', level: 1 }).waitFor();
      const titles = page.locator('mq-poster-card .title');
      const count = page.getByRole('status').filter({ hasText: 'in all' });
      await expectTexts(titles, ['Alpha', 'Broken One', 'Broken Three', 'Broken Two', 'Plain', 'Zulu'], 'the films by title');
      await count.filter({ hasText: /^6 in all$/ }).waitFor();

      await page.getByLabel('Sort').selectOption({ label: 'Year (newest)' });
      await page.waitForURL(/[?&]sort=-year\b/);
      await expectTexts(titles, ['Plain', 'Broken One', 'Broken Two', 'Broken Three', 'Zulu', 'Alpha'], 'the films, newest first');

      await page.getByLabel('Genre').fill('Drama');
      await page.getByLabel('Genre').press('Enter');
      await page.waitForURL(/[?&]genre=Drama\b/);
      await expectTexts(titles, ['Zulu', 'Alpha'], 'the dramas, newest first');
      await count.filter({ hasText: /^2 in all$/ }).waitFor();

      await page.getByLabel('Year', { exact: true }).fill('1999');
      await page.getByLabel('Year', { exact: true }).press('Enter');
      await page.waitForURL(/[?&]year=1999\b/);
      await expectTexts(titles, ['Alpha'], 'the dramas of 1999');
      await count.filter({ hasText: /^1 in all$/ }).waitFor();
      await screenshot(page, 'flows-03-browse-filtered');

      await page.getByLabel('Year', { exact: true }).fill('1998');
      await page.getByLabel('Year', { exact: true }).press('Enter');
      await page.getByText('Nothing matches.').waitFor();
      await expect(titles.count()).resolves.toBe(0);

      // The filters live in the address: a reload shows the same selection.
      await page.getByLabel('Year', { exact: true }).fill('');
      await page.getByLabel('Year', { exact: true }).press('Enter');
      await page.getByLabel('Sort').selectOption({ label: 'Title (Z–A)' });
      await expectTexts(titles, ['Zulu', 'Alpha'], 'the dramas, Z to A');
      await page.reload();
      await expectTexts(titles, ['Zulu', 'Alpha'], 'the dramas, Z to A, after a reload');
      await expect(page.getByLabel('Genre').inputValue()).resolves.toBe('Drama');
      await expect(page.getByLabel('Sort').inputValue()).resolves.toBe('-title');
    });

    it('goes from an artist to their albums and an album’s tracks', async () => {
      await page.goto('/browse/artists');
      await page.getByRole('heading', { name: 'Artists', level: 1 }).waitFor();
      await page.locator('mq-poster-card').filter({ hasText: 'The Band' }).getByRole('link').click();
      await page.waitForURL(new RegExp(`/items/${ids['The Band']}$`));
      await page.getByRole('heading', { name: 'The Band', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Albums', level: 2 }).waitFor();
      await expectTexts(page.locator('mq-poster-card .title'), ['Hi-Res', 'Lo-Fi'], 'the artist’s albums');
      await screenshot(page, 'flows-04-artist');
      await page.locator('mq-poster-card').filter({ hasText: 'Hi-Res' }).getByRole('link').click();
      await page.getByRole('heading', { name: 'Hi-Res', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Tracks', level: 2 }).waitFor();
      await expectTexts(page.locator('.tracklist li a'), ['First', 'Second', 'Third'], 'the album’s tracks in order');
      await expect(page.locator('.tracklist li .num').allTextContents()).resolves.toEqual(
        ['1', '2', '3'].map((n) => expect.stringContaining(n)),
      );
    });

    it('moves through the queue with next and previous, shows and edits the queue, seeks, and sets the volume', async () => {
      await page.goto(`/items/${ids['Hi-Res']}`);
      await page.getByRole('heading', { name: 'Hi-Res', level: 1 }).waitFor();
      await page.locator('.actions').getByRole('button', { name: /^Play/ }).first().click();
      const bar = page.getByRole('region', { name: 'Music player' });
      const nowPlaying = bar.locator('.now a');
      const audioSrc = async () => (await latestAudioElement(page))?.src ?? '';
      await nowPlaying.filter({ hasText: /^\s*First\s*$/ }).waitFor();
      await waitFor(async () => ((await audioSrc()).includes(ids.First) ? true : undefined), 'the first track in the audio element');

      await bar.getByRole('button', { name: /^Queue/ }).click();
      const queue = bar.locator('#music-queue li');
      await expectTexts(queue.locator('button[aria-current]'), ['First', 'Second', 'Third'], 'the queue list');
      await expect(queue.nth(0).locator('button[aria-current]').getAttribute('aria-current')).resolves.toBe('true');

      await bar.getByRole('button', { name: 'Next track' }).click();
      await nowPlaying.filter({ hasText: /^\s*Second\s*$/ }).waitFor();
      await waitFor(async () => ((await audioSrc()).includes(ids.Second) ? true : undefined), 'the second track in the audio element');
      await expect(queue.nth(1).locator('button[aria-current]').getAttribute('aria-current')).resolves.toBe('true');
      await waitFor(
        async () => ((await http().get('/api/v1/me/queue').set(bearer(admin))).body.currentIndex === 1 ? true : undefined),
        'the server queue at the second track',
      );

      // Seeking moves the element's clock, and the bar's clock follows.
      await waitFor(async () => ((await latestAudioElement(page))!.duration > 15 ? true : undefined), 'the track’s duration');
      await bar.getByRole('slider', { name: 'Seek' }).evaluate((input) => {
        const range = input as unknown as { value: string; dispatchEvent(event: unknown): boolean };
        range.value = '12000';
        range.dispatchEvent(
          new (globalThis as unknown as { Event: new (type: string, init: object) => unknown }).Event('change', { bubbles: true }),
        );
      });
      const afterSeek = (await latestAudioElement(page))!.currentTime;
      expect(afterSeek).toBeGreaterThanOrEqual(11.9);
      expect(afterSeek).toBeLessThan(15);
      await bar
        .getByTestId('music-position')
        .filter({ hasText: /^0:1[2-5]$/ })
        .waitFor();

      // Previous past the first 3 s starts the track again; pressed again at once, it goes back a track.
      await bar.getByRole('button', { name: 'Previous track' }).click();
      await waitFor(async () => ((await latestAudioElement(page))!.currentTime < 3 ? true : undefined), 'the track to start again');
      await expect(nowPlaying.textContent()).resolves.toMatch(/Second/);
      await bar.getByRole('button', { name: 'Previous track' }).click();
      await nowPlaying.filter({ hasText: /^\s*First\s*$/ }).waitFor();
      await waitFor(async () => ((await audioSrc()).includes(ids.First) ? true : undefined), 'the first track again');

      // The volume slider sets the element's volume (keyboard: each step is 5 %).
      const volume = bar.getByRole('slider', { name: 'Volume' });
      await volume.focus();
      for (let i = 0; i < 4; i++) await volume.press('ArrowLeft');
      await waitFor(
        async () => (Math.abs((await latestAudioElement(page))!.volume - 0.8) < 0.001 ? true : undefined),
        'the volume at 80 %',
      );

      // Removing an entry from the list removes it from the account's queue too.
      await bar.getByRole('button', { name: 'Remove Third from the queue' }).click();
      await expectTexts(queue.locator('button[aria-current]'), ['First', 'Second'], 'the queue without Third');
      await bar.getByRole('button', { name: /^Queue \(2\)/ }).waitFor();
      await waitFor(async () => {
        const saved = (await http().get('/api/v1/me/queue').set(bearer(admin))).body as PlayQueueView;
        return JSON.stringify(saved.entries.items.map((e) => e.item.title)) === '["First","Second"]' ? true : undefined;
      }, 'the server queue without Third');
      await screenshot(page, 'flows-05-music-queue', { fullPage: false });

      await bar.getByRole('button', { name: 'Stop and clear the queue' }).click();
      await bar.waitFor({ state: 'detached' });
    }, 90_000);

    it('reorders a playlist, removes an entry and deletes the playlist, and the server agrees', async () => {
      const created = await http()
        .post('/api/v1/playlists')
        .set(bearer(admin))
        .send({ name: 'Road trip', itemIds: [ids.First, ids.Second, ids.Third] });
      expect(created.status).toBe(201);
      const playlistId = created.body.id as string;
      const serverOrder = async () =>
        ((await http().get(`/api/v1/playlists/${playlistId}`).set(bearer(admin))).body as PlaylistDetail).entries.items.map(
          (e) => e.item.title,
        );

      await main().getByRole('link', { name: 'Playlists' }).click();
      await page.getByRole('link', { name: 'Road trip' }).click();
      await page.getByRole('heading', { name: 'Road trip', level: 1 }).waitFor();
      const entries = page.locator('.entries li > a');
      await expectTexts(entries, ['First', 'Second', 'Third'], 'the playlist as created');

      await page.getByRole('button', { name: 'Move Third up' }).click();
      await expectTexts(entries, ['First', 'Third', 'Second'], 'Third moved up');
      await expect(serverOrder()).resolves.toEqual(['First', 'Third', 'Second']);
      await page.getByRole('button', { name: 'Move First down' }).click();
      await expectTexts(entries, ['Third', 'First', 'Second'], 'First moved down');
      await expect(serverOrder()).resolves.toEqual(['Third', 'First', 'Second']);

      await page.getByRole('button', { name: 'Remove First' }).click();
      await expectTexts(entries, ['Third', 'Second'], 'First removed');
      await expect(serverOrder()).resolves.toEqual(['Third', 'Second']);
      await page.getByText(/^2 items · /).waitFor();
      await screenshot(page, 'flows-06-playlist-edited');

      await page.getByRole('link', { name: '← Playlists' }).click();
      // Declining the confirmation keeps it; accepting deletes it.
      dialogs.expect(/^Delete the playlist “Road trip”\?$/, false);
      await page.getByRole('button', { name: 'Delete playlist Road trip' }).click();
      await waitFor(async () => (dialogs.pending === 0 ? true : undefined), 'the declined confirmation');
      expect((await http().get(`/api/v1/playlists/${playlistId}`).set(bearer(admin))).status).toBe(200);
      dialogs.expect(/^Delete the playlist “Road trip”\?$/);
      await page.getByRole('button', { name: 'Delete playlist Road trip' }).click();
      await page.getByRole('link', { name: 'Road trip' }).waitFor({ state: 'detached' });
      await page.getByText(/^No playlists yet\./).waitFor();
      expect((await http().get(`/api/v1/playlists/${playlistId}`).set(bearer(admin))).status).toBe(404);
    });

    it('shows a failed job’s error, stack, log, progress and attempts in the drawer', async () => {
      const failed = (await http().get('/api/v1/jobs').query({ queue: 'media-probe', state: 'failed', limit: 10 }).set(bearer(admin)))
        .body as PageOf<JobRunView>;
      expect(failed.items).toHaveLength(3);
      const detail = (await http().get(`/api/v1/jobs/${failed.items[0].id}`).set(bearer(admin))).body as JobDetailView;
      expect(detail.stack).toBeTruthy();

      await main().getByRole('link', { name: 'Jobs' }).click();
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      await page.getByText('Live', { exact: true }).waitFor();
      await jobFilters()
        .getByRole('combobox', { name: /^Queue/ })
        .selectOption('media-probe');
      await jobFilters()
        .getByRole('combobox', { name: /^State/ })
        .selectOption('failed');
      const rows = page.locator('table.jobs tbody tr');
      await expectTexts(
        rows.locator('td.target'),
        failed.items.map((job) => job.targetLabel ?? ''),
        'the three failed probes',
      );
      await page.locator(`tr[data-job-id="${detail.id}"]`).getByRole('button').click();
      const drawer = page.getByRole('dialog');
      await drawer.getByTestId('job-error').filter({ hasText: detail.error! }).waitFor();
      await expect(drawer.getByTestId('job-error').textContent()).resolves.toMatch(/Broken/);
      await drawer.locator('summary', { hasText: 'Stack' }).click();
      const stack = (await drawer
        .locator('details', { has: page.locator('summary', { hasText: 'Stack' }) })
        .locator('pre')
        .textContent())!;
      expect(stack.trim()).toBe(detail.stack!.trim());
      await drawer.getByRole('heading', { name: `Log (${detail.logs.length})` }).waitFor();
      if (detail.logs.length) {
        // Each line shows its time, then its message.
        const lines = (await drawer.locator('.logs li').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
        expect(lines).toEqual(detail.logs.map((line) => expect.stringContaining(line.message.replace(/\s+/g, ' ').trim())));
      } else {
        await drawer.getByText('No log lines.').waitFor();
      }
      const facts = drawer.locator('dl.facts');
      await facts.locator('dt', { hasText: 'Attempts' }).waitFor();
      await expect(facts.locator('dt:has-text("Attempts") + dd').textContent()).resolves.toMatch(
        new RegExp(`^\\s*${detail.attempts} of ${detail.maxAttempts}\\s*$`),
      );
      await expect(facts.locator('dt:has-text("Progress") + dd').textContent()).resolves.toMatch(new RegExp(`\\b${detail.progress}%`));
      await expect(facts.getByRole('progressbar').evaluate((bar) => (bar as unknown as { value: number }).value)).resolves.toBe(
        detail.progress,
      );
      await screenshot(page, 'flows-07-job-drawer-failed', { fullPage: false });
      await drawer.getByRole('button', { name: 'Close the job details' }).click();
      await drawer.waitFor({ state: 'detached' });
    });

    it('retries every failed job of a queue at once', async () => {
      const since = new Date();
      const probeCard = page.locator('article[data-queue="media-probe"]');
      await probeCard
        .locator('[data-count="failed"] dd')
        .filter({ hasText: /^\s*3\s*$/ })
        .waitFor();
      await jobFilters()
        .getByRole('combobox', { name: /^State/ })
        .selectOption('');
      await probeCard.getByRole('button', { name: /retry/i }).click();
      await page.getByText('3 failed jobs of media-probe queued again.').waitFor();
      // The server queued one new probe per failed file, and the table shows them without a reload.
      const again = await waitFor(async () => {
        const { rows } = await sql.query<{ id: string; label: string }>(
          `SELECT id, "targetLabel" AS label FROM job_runs WHERE queue = 'media-probe' AND "createdAt" >= $1 ORDER BY "targetLabel"`,
          [since],
        );
        return rows.length === 3 ? rows : undefined;
      }, 'three new probes');
      expect(again.map((r) => r.label)).toEqual([
        expect.stringMatching(/^Broken One/),
        expect.stringMatching(/^Broken Three/),
        expect.stringMatching(/^Broken Two/),
      ]);
      for (const job of again) await page.locator(`tr[data-job-id="${job.id}"]`).waitFor();
      await screenshot(page, 'flows-08-jobs-retried');
    });

    it('runs a scan from the dashboard, which appears in the table, and cancels it from the drawer while it waits', async () => {
      const scanCard = page.locator('article[data-queue="library-scan"]');
      await scanCard.getByRole('button', { name: /^Pause/ }).click();
      await scanCard.getByText('paused', { exact: true }).waitFor();
      try {
        await runAndCancelScan(scanCard);
      } finally {
        // Whatever happened, later steps need the scans running.
        await http().post('/api/v1/queues/library-scan/resume').set(bearer(admin));
      }
    });

    async function runAndCancelScan(scanCard: Locator): Promise<void> {
      await jobFilters()
        .getByRole('combobox', { name: /^Queue/ })
        .selectOption('library-scan');
      await scanCard.getByRole('combobox').selectOption({ label: 'My films' });
      await scanCard.getByRole('button', { name: 'Run scan' }).click();
      await page.getByText('Scan queued.').waitFor();
      const queued = await waitFor(async () => {
        const jobs = (await http().get('/api/v1/jobs').query({ queue: 'library-scan', state: 'queued' }).set(bearer(admin)))
          .body as PageOf<JobRunView>;
        return jobs.items.find((job) => job.targetId === libraries['My films']);
      }, 'the queued scan of My films');
      const row = page.locator(`tr[data-job-id="${queued.id}"]`);
      await row.and(page.locator('[data-state="queued"]')).waitFor();
      await expect(row.locator('td.target').textContent()).resolves.toMatch(/My films/);

      await row.getByRole('button').click();
      const drawer = page.getByRole('dialog');
      await drawer.locator('.meta .state').filter({ hasText: 'queued' }).waitFor();
      await drawer.getByRole('button', { name: 'Cancel' }).click();
      await page.getByText('Cancel requested.').waitFor();
      await drawer.locator('.meta .state').filter({ hasText: 'cancelled' }).waitFor();
      await row.and(page.locator('[data-state="cancelled"]')).waitFor();
      const cancelled = (await http().get(`/api/v1/jobs/${queued.id}`).set(bearer(admin))).body as JobDetailView;
      expect(cancelled.state).toBe('cancelled');
      await drawer.getByRole('button', { name: 'Retry' }).waitFor();
      await expect(drawer.getByRole('button', { name: 'Cancel' }).count()).resolves.toBe(0);
      await screenshot(page, 'flows-09-job-cancelled', { fullPage: false });
      await drawer.getByRole('button', { name: 'Close the job details' }).click();

      await scanCard.getByRole('button', { name: /^Resume/ }).click();
      await scanCard.getByText('paused', { exact: true }).waitFor({ state: 'detached' });
      const queues = (await http().get('/api/v1/queues').set(bearer(admin))).body as { name: string; paused: boolean }[];
      expect(queues.find((q) => q.name === 'library-scan')?.paused).toBe(false);
    }

    it('uploads and chooses artwork, unlocks a field, and applies an identified match', async () => {
      await page.goto(`/admin/items/${ids.Zulu}/edit`);
      await page.getByRole('heading', { name: 'Edit metadata' }).waitFor();
      const artwork = page.getByRole('region', { name: 'Artwork' });

      // Upload a poster.
      const poster = await sharp({ create: { width: 300, height: 450, channels: 3, background: '#aa3366' } })
        .png()
        .toBuffer();
      await page.getByLabel('Kind').selectOption('poster');
      await page.getByLabel(/^Upload a picture/).setInputFiles({ name: 'zulu-poster.png', mimeType: 'image/png', buffer: poster });
      const posterImage = artwork.getByRole('img', { name: 'poster of Zulu' });
      await posterImage.waitFor();
      await page.waitForFunction(() => {
        const image = (globalThis as unknown as PageGlobals).document.querySelector('img[alt="poster of Zulu"]') as {
          naturalWidth: number;
        } | null;
        return (image?.naturalWidth ?? 0) > 0;
      });
      expect((await item(ids.Zulu)).artwork.poster).toBeTruthy();

      // Choose the picture beside the film as its backdrop.
      expect((await item(ids.Zulu)).artwork.backdrop).toBeFalsy();
      await page.getByRole('button', { name: /^Pictures beside the media/ }).click();
      const candidate = artwork.locator('ul.candidates li').filter({ hasText: 'still.jpg' });
      await candidate.waitFor();
      await page.getByLabel('Kind').selectOption('backdrop');
      await candidate.getByRole('button', { name: /^Use as backdrop$/ }).click();
      await artwork.getByRole('img', { name: 'backdrop of Zulu' }).waitFor();
      expect((await item(ids.Zulu)).artwork.backdrop).toBeTruthy();
      await screenshot(page, 'flows-10-editor-artwork');

      // An edited title is locked; unlocking it in the form hands it back to the scanners.
      const title = page.getByLabel('Title', { exact: true });
      await title.fill('Zulu Dawn');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#lock-title').filter({ hasText: 'Locked' }).waitFor();
      expect((await item(ids.Zulu)).lockedFields).toContain('title');
      const titleField = page.locator('.field').filter({ has: page.locator('#edit-title') });
      await titleField.getByRole('checkbox', { name: /^Unlock/ }).check();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#lock-title').waitFor({ state: 'detached' });
      const unlocked = await item(ids.Zulu);
      expect(unlocked.lockedFields).not.toContain('title');
      expect(unlocked.title).toBe('Zulu Dawn');

      // Identify finds the film from its file name; applying the match gives the unlocked title its value.
      await page.getByRole('button', { name: 'Identify' }).click();
      const match = page
        .getByRole('region', { name: 'Identify' })
        .locator('ol.candidates li')
        .filter({ hasText: /Zulu\s*\(2005\)/ })
        .first();
      await match.waitFor();
      await match.getByRole('button', { name: /^Apply/ }).click();
      await page.getByText(/^Queued \(job [0-9a-f-]+\); unlocked fields take the candidate's values when it runs\.$/).waitFor();
      await waitFor(
        async () => ((await item(ids.Zulu)).title === 'Zulu' ? true : undefined),
        'the applied match to set the title',
        60_000,
        250,
      );
      await page.reload();
      await expect(page.getByLabel('Title', { exact: true }).inputValue()).resolves.toBe('Zulu');
      await screenshot(page, 'flows-11-editor-identified');
    }, 90_000);

    it('creates, disables, enables, resets the password of and deletes a user', async () => {
      await page.goto('/admin/users');
      await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      await page.getByLabel('Username', { exact: true }).fill('casey');
      await page.getByLabel('Password', { exact: true }).fill('first secret phrase');
      await page.getByRole('combobox', { name: /^Role(?! of)/ }).selectOption('user');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByText('Account casey created.').waitFor();
      const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: /^casey$/ }) });
      await row.waitFor();
      const casey = ((await http().get('/api/v1/users').query({ limit: 500 }).set(bearer(admin))).body as PageOf<AccountView>).items.find(
        (u) => u.username === 'casey',
      )!;
      expect(casey).toMatchObject({ role: 'user', disabled: false });
      const login = (password: string) => http().post('/api/v1/auth/login').send({ username: 'casey', password });
      expect((await login('first secret phrase')).status).toBe(200);

      await row.getByRole('button', { name: /^Disable/ }).click();
      await row.getByRole('cell', { name: 'disabled', exact: true }).waitFor();
      expect((await http().get(`/api/v1/users/${casey.id}`).set(bearer(admin))).body.disabled).toBe(true);
      const refused = await login('first secret phrase');
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toBe('This account is disabled');
      await screenshot(page, 'flows-12-users');

      await row.getByRole('button', { name: /^Enable/ }).click();
      await row.getByRole('cell', { name: 'active', exact: true }).waitFor();
      expect((await http().get(`/api/v1/users/${casey.id}`).set(bearer(admin))).body.disabled).toBe(false);

      dialogs.expect(/^New password for casey /, 'second secret phrase');
      await row.getByRole('button', { name: /^Reset password/ }).click();
      await page.getByText('Password of casey reset.').waitFor();
      expect((await login('first secret phrase')).status).toBe(401);
      expect((await login('second secret phrase')).status).toBe(200);

      dialogs.expect(/^Delete the account casey /);
      await row.getByRole('button', { name: /^Delete/ }).click();
      await row.waitFor({ state: 'detached' });
      expect((await http().get(`/api/v1/users/${casey.id}`).set(bearer(admin))).status).toBe(404);
    });

    it('adds a folder to an existing library, whose films then arrive', async () => {
      await page.goto('/admin/libraries');
      const films = page.getByRole('article', { name: /^My films/ });
      await films.getByText(/\(movies, 3 items\)/).waitFor();
      const folder = join(media, 'more');
      await films.getByLabel('Add a folder').fill(folder);
      await films.getByRole('button', { name: /^Add folder/ }).click();
      await page.getByText('Folder added to My films; a scan is queued.').waitFor();
      await films.locator('code', { hasText: folder }).waitFor();
      const stored = ((await http().get('/api/v1/libraries').set(bearer(admin))).body as LibraryView[]).find(
        (l) => l.id === libraries['My films'],
      )!;
      expect(stored.folders).toEqual([join(media, 'movies'), folder]);
      await waitFor(
        async () => {
          const res = await http().get('/api/v1/items').query({ type: 'movie', limit: 50 }).set(bearer(admin));
          return (res.body as PageOf<ItemSummary>).items.some((i) => i.title === 'Newcomer') ? true : undefined;
        },
        'the film of the new folder',
        60_000,
        250,
      );
      await page.reload();
      await films.getByText(/\(movies, 4 items\)/).waitFor();
      await screenshot(page, 'flows-13-libraries-folder-added');
    }, 90_000);

    it('installs the example plugin from a server folder, enables it, keeps its secret setting hidden, disables and removes it', async () => {
      const secret = 'open-sesame-4711';
      const plugin = () =>
        http()
          .get('/api/v1/plugins')
          .set(bearer(admin))
          .then((res) => (res.body as { items: PluginView[] }).items.find((p) => p.id === 'org.marquee.example-catalogue'));
      await page.goto('/admin/plugins');
      await page.getByText('No plugins installed.').waitFor();
      await page.getByLabel('A plugin folder on the server').fill(join(projectRoot(), 'plugins', 'examples', 'catalogue'));
      await page.getByRole('button', { name: 'Install from folder' }).click();
      await page.getByText('Installed Example catalogue 1.0.0 (disabled until you enable it).').waitFor();
      const card = page.getByRole('article', { name: /^Example catalogue/ });
      await card.getByRole('heading', { name: /1\.0\.0 · disabled$/ }).waitFor();
      expect(await plugin()).toMatchObject({ enabled: false, version: '1.0.0' });

      await card.getByRole('button', { name: /^Enable/ }).click();
      await card.getByRole('heading', { name: /· enabled$/ }).waitFor();
      expect((await plugin())?.enabled).toBe(true);
      await page.getByRole('table').getByText('org.marquee.example-catalogue', { exact: false }).first().waitFor();

      await card.getByLabel('Title language').fill('fr');
      await card.getByLabel('Remote catalogue API key').fill(secret);
      await card.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings of Example catalogue saved.').waitFor();
      const saved = (await plugin())!;
      expect(saved.settings).toMatchObject({ language: 'fr', apiKey: { set: true } });
      expect(JSON.stringify(saved)).not.toContain(secret);
      // Never shown back: after a reload the field is empty and says a value is set.
      await page.reload();
      const key = card.getByLabel('Remote catalogue API key');
      await expect(key.inputValue()).resolves.toBe('');
      await expect(key.getAttribute('placeholder')).resolves.toBe('set (leave empty to keep)');
      await expect(card.getByLabel('Title language').inputValue()).resolves.toBe('fr');
      expect(await page.content()).not.toContain(secret);
      await screenshot(page, 'flows-14-plugin-installed');
      // Saving again with the field left empty keeps the stored secret.
      await card.getByLabel('Title language').fill('en');
      await card.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings of Example catalogue saved.').waitFor();
      expect((await plugin())!.settings).toMatchObject({ language: 'en', apiKey: { set: true } });

      await card.getByRole('button', { name: /^Disable/ }).click();
      await card.getByRole('heading', { name: /· disabled$/ }).waitFor();
      expect((await plugin())?.enabled).toBe(false);

      dialogs.expect(/^Remove the plugin Example catalogue/);
      await card.getByRole('button', { name: /^Remove/ }).click();
      await page.getByText('No plugins installed.').waitFor();
      await expect(plugin()).resolves.toBeUndefined();
    }, 60_000);

    it('allows single private hosts from the plugins page, and shows the server’s reason for a bad one', async () => {
      const policy = async () =>
        (await http().get('/api/v1/plugins/network-policy').set(bearer(admin)).expect(200)).body as NetworkPolicyView;
      await page.goto('/admin/plugins');
      const hosts = page.getByLabel('Private hosts they may reach all the same');
      await hosts.fill('metadata.lan:8080, 192.168.1.20');
      await page.getByRole('button', { name: 'Save hosts' }).click();
      await page.getByText('Private hosts allowed: metadata.lan:8080, 192.168.1.20.').waitFor();
      expect(await policy()).toMatchObject({ allowPrivateNetworks: false, allowedPrivateHosts: ['metadata.lan:8080', '192.168.1.20'] });
      await page.reload();
      await expect(hosts.inputValue()).resolves.toBe('metadata.lan:8080, 192.168.1.20');

      await hosts.fill('not a host!');
      await page.getByRole('button', { name: 'Save hosts' }).click();
      await page
        .getByRole('alert')
        .getByText(/allowedPrivateHosts/)
        .waitFor();
      expectOnlyRefusals(problems, base, ['HTTP 400 PATCH /api/v1/plugins/network-policy']);
      expect((await policy()).allowedPrivateHosts).toEqual(['metadata.lan:8080', '192.168.1.20']);

      await hosts.fill('');
      await page.getByRole('button', { name: 'Save hosts' }).click();
      await page.getByText('No private host is allowed.').waitFor();
      expect((await policy()).allowedPrivateHosts).toEqual([]);
    });

    it('turns the perceptual hash of videos on and off from the libraries page', async () => {
      const videoPhash = async () =>
        ((await http().get('/api/v1/settings').set(bearer(admin)).expect(200)).body as ServerSettingsView).videoPhash;
      await page.goto('/admin/libraries');
      const box = page.getByLabel('Fingerprint videos with a perceptual hash too');
      await expect(box.isChecked()).resolves.toBe(false);
      await box.check();
      await page.getByText('New and changed videos get a perceptual hash.').waitFor();
      expect(await videoPhash()).toBe(true);
      await page.reload();
      await expect(box.isChecked()).resolves.toBe(true);
      await box.uncheck();
      await page.getByText('Videos are fingerprinted without a perceptual hash from now on.').waitFor();
      expect(await videoPhash()).toBe(false);
    });

    it('changes the password, revokes another session, and creates an API key shown once, then revokes it', async () => {
      const walker = await createAccount(api, 'user', 'walker');
      // Another device of theirs, signed in through the API.
      const tablet = await http()
        .post('/api/v1/auth/login')
        .set('User-Agent', 'Kitchen tablet')
        .send({ username: walker.username, password: walker.password });
      expect(tablet.status).toBe(200);
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/sign-in/);
      await signIn(walker);
      await page.goto('/account');
      await page.getByText('(this browser)').waitFor();

      // Revoke the tablet's session.
      const sessions = async () =>
        ((await http().get('/api/v1/sessions').set(bearer(walker))).body as SessionView[]).map((s) => s.userAgent);
      await expect(sessions()).resolves.toContain('Kitchen tablet');
      const tabletRow = page.getByRole('row').filter({ hasText: 'Kitchen tablet' });
      await tabletRow.getByRole('button', { name: /^Revoke/ }).click();
      await tabletRow.waitFor({ state: 'detached' });
      await expect(sessions()).resolves.not.toContain('Kitchen tablet');

      // A key is shown once.
      await page.getByLabel('Name', { exact: true }).fill('Backup script');
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = (await page.getByTestId('new-api-key').textContent())!.trim();
      expect(key).toMatch(/^mq_/);
      expect((await http().get('/api/v1/auth/me').set('X-Api-Key', key)).status).toBe(200);
      const keyRow = page.getByRole('row').filter({ hasText: 'Backup script' });
      await keyRow.waitFor();
      const prefix = (await keyRow.locator('code').textContent())!.replace('…', '').trim();
      expect(key.startsWith(prefix)).toBe(true);
      expect(prefix.length).toBeLessThan(key.length);
      await page.reload();
      await keyRow.waitFor();
      await expect(page.getByTestId('new-api-key').count()).resolves.toBe(0);
      expect(await page.content()).not.toContain(key);
      await screenshot(page, 'flows-15-account');

      dialogs.expect(/^Revoke the key “Backup script”\?/);
      await keyRow.getByRole('button', { name: /^Revoke/ }).click();
      await keyRow.waitFor({ state: 'detached' });
      await page.getByText('No API keys.').waitFor();
      expect(((await http().get('/api/v1/api-keys').set(bearer(walker))).body as ApiKeyView[]).length).toBe(0);
      expect((await http().get('/api/v1/auth/me').set('X-Api-Key', key)).status).toBe(401);

      // Change the password, then sign in again: the old one is refused, the new one works.
      const newPassword = 'a much newer pass phrase';
      await page.getByLabel('Current password').fill(walker.password);
      await page.getByLabel('New password').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Password changed. Your other sessions were signed out.').waitFor();
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/sign-in/);
      await page.getByLabel('Username or email').fill(walker.username);
      await page.getByLabel('Password').fill(walker.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor();
      expectOnlyRefusals(problems, base, ['HTTP 401 POST /api/v1/auth/login']);
      await page.getByLabel('Password').fill(newPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
      await page.goto('/account');
      await page.getByText(`Signed in as ${walker.username}`, { exact: false }).waitFor();
    }, 60_000);
  },
);
