#!/usr/bin/env node
// Example Marquee plugin: answers `identify` and `scrape` from catalogue.json, and from a remote
// catalogue when the `remoteUrl` setting is set (fetched by the server on the plugin's behalf, so
// only the hosts in the manifest's permissions are reachable). It speaks the plugin protocol: one
// JSON message per line on stdin/stdout.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const catalogue = JSON.parse(readFileSync(new URL('./catalogue.json', import.meta.url), 'utf8'));
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const log = (message) => send({ type: 'log', level: 'info', message });

const pending = new Map();
let nextFetch = 1;

/** Asks the server to fetch a URL; resolves with { status, contentType, body }. */
function hostFetch(url, headers = {}) {
  const id = String(nextFetch++);
  send({ type: 'fetch', id, url, headers });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

const normalize = (text) =>
  String(text ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^the /, '');

function titleOf(entry, settings) {
  return entry.titles?.[settings.language] ?? entry.title;
}

function toMetadata(entry, settings) {
  const { id: _id, type: _type, titles: _titles, ...fields } = entry;
  return { ...fields, title: titleOf(entry, settings) };
}

function matches(entry, item, query) {
  const wanted = normalize(query.title);
  if (!wanted) return false;
  const kind = item.type === 'season' ? 'series' : item.type;
  if (entry.type && entry.type !== kind) return false;
  const names = [entry.title, ...Object.values(entry.titles ?? {})].map(normalize);
  return names.some((name) => name.includes(wanted) || wanted.includes(name));
}

async function remote(settings, path) {
  const headers = settings.apiKey ? { 'X-Api-Key': settings.apiKey } : {};
  const response = await hostFetch(`${settings.remoteUrl.replace(/\/$/, '')}${path}`, headers);
  if (response.status !== 200) throw new Error(`the remote catalogue answered HTTP ${response.status}`);
  return JSON.parse(response.body);
}

async function identify({ item, query }, settings) {
  const candidates = catalogue
    .filter((entry) => matches(entry, item, query))
    .map((entry) => ({
      ref: entry.id,
      title: titleOf(entry, settings),
      year: entry.year,
      overview: entry.overview,
      metadata: toMetadata(entry, settings),
    }));
  if (settings.remoteUrl) {
    const found = await remote(settings, `/search?q=${encodeURIComponent(query.title)}`);
    for (const result of found.results ?? []) {
      candidates.push({ ref: `remote:${result.id}`, title: result.title, year: result.year ?? null, overview: result.overview ?? null });
    }
  }
  log(`${candidates.length} candidate(s) for "${query.title}"`);
  return { candidates };
}

async function scrape({ ref }, settings) {
  if (ref.startsWith('remote:')) {
    if (!settings.remoteUrl) throw new Error('remote references need the remoteUrl setting');
    return { metadata: await remote(settings, `/items/${encodeURIComponent(ref.slice('remote:'.length))}`) };
  }
  const entry = catalogue.find((candidate) => candidate.id === ref);
  if (!entry) throw new Error(`no catalogue entry "${ref}"`);
  return { metadata: toMetadata(entry, settings) };
}

const methods = { identify, scrape };

createInterface({ input: process.stdin })
  .on('line', (line) => {
    const message = JSON.parse(line);
    if (message.type === 'call') {
      const method = methods[message.method];
      if (!method) return send({ type: 'error', message: `unknown method ${message.method}` });
      method(message.params ?? {}, message.settings ?? {}).then(
        (data) => send({ type: 'result', data }),
        (error) => send({ type: 'error', message: error.message }),
      );
    } else if (message.type === 'fetch-result') {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (!waiting) return;
      if (message.error) waiting.reject(new Error(message.error));
      else waiting.resolve(message);
    }
  })
  .on('close', () => process.exit(0));
