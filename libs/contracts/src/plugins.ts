import type { EditableItemField, ArtworkKindName, PersonView } from './library.js';

/** What a plugin (or a built-in scraper) can do; `scrape:<kind>` says which items it knows about. */
export const PLUGIN_CAPABILITIES = ['identify', 'scrape:movie', 'scrape:series', 'scrape:episode', 'scrape:music'] as const;
export type PluginCapability = (typeof PLUGIN_CAPABILITIES)[number];

/** How a plugin's entry is started: with the server's own Node, or as an executable (a script with a shebang). */
export const PLUGIN_RUNTIMES = ['node', 'executable'] as const;
export type PluginRuntime = (typeof PLUGIN_RUNTIMES)[number];

/** The name of the manifest file at the root of a plugin folder or archive. */
export const PLUGIN_MANIFEST_FILE = 'marquee-plugin.json';

/** One setting a plugin declares; `secret` ones are encrypted at rest and never returned. */
export interface PluginSettingField {
  type: 'string' | 'number' | 'boolean';
  title?: string;
  description?: string;
  secret?: boolean;
  required?: boolean;
  default?: string | number | boolean;
  enum?: (string | number)[];
}

/** `marquee-plugin.json`. */
export interface PluginManifest {
  /** Reverse-DNS style, e.g. `org.example.catalogue`: lower case, at least one dot. */
  id: string;
  name: string;
  /** Semantic version, e.g. `1.2.0`. */
  version: string;
  description?: string;
  /** A file inside the plugin folder, run out of process, speaking JSON lines over stdin/stdout. */
  entry?: string;
  runtime?: PluginRuntime;
  capabilities: PluginCapability[];
  permissions?: {
    /** Hosts the plugin's HTTP requests (made through the server) and declarative scrapers may reach. */
    hosts?: string[];
  };
  settings?: Record<string, PluginSettingField>;
  /** Declarative HTTP JSON scraper definitions (files inside the plugin folder). */
  scrapers?: string[];
  /** Tighter run limits than the server's (never looser: larger values are capped). */
  limits?: { timeoutSeconds?: number; memoryMb?: number; maxOutputKb?: number };
}

/** A setting as the API shows it: secrets only say whether they are set. */
export type PluginSettingValue = string | number | boolean | null | { set: boolean };

export interface PluginView {
  id: string;
  name: string;
  version: string;
  description: string | null;
  enabled: boolean;
  source: 'archive' | 'folder';
  runtime: PluginRuntime | null;
  capabilities: PluginCapability[];
  permissions: { hosts: string[] };
  settingsSchema: Record<string, PluginSettingField>;
  settings: Record<string, PluginSettingValue>;
  /** Ids of the declarative scrapers the plugin ships (`http:<plugin id>/<name>`). */
  scrapers: string[];
  installedAt: string;
  updatedAt: string;
}

export interface InstallPluginFromFolderRequest {
  /** An absolute folder on the server holding `marquee-plugin.json`; it is copied into the data dir. */
  folder: string;
}

export interface UpdatePluginRequest {
  enabled?: boolean;
  /** Values to set; `null` clears a setting (a secret too). Settings left out keep their value. */
  settings?: Record<string, string | number | boolean | null>;
}

/** Whether HTTP fetches (scrapers, plugins, artwork) may reach loopback and private addresses. */
export interface NetworkPolicyView {
  allowPrivateNetworks: boolean;
  /**
   * Host patterns (`metadata.lan`, `*.lan`, `192.168.1.20:8080`) that may be reached at a private
   * address even while private networks are refused: one service on the LAN without opening the rest.
   */
  allowedPrivateHosts: string[];
}

export type ScraperKind = 'builtin' | 'http' | 'plugin';

export interface ScraperView {
  /** `builtin:nfo`, `http:<plugin id>/<name>`, `plugin:<plugin id>`. */
  id: string;
  name: string;
  kind: ScraperKind;
  pluginId: string | null;
  capabilities: PluginCapability[];
  enabled: boolean;
}

/** Picture a scraper offers; downloaded, size-limited and re-encoded when the scrape is applied. */
export interface ScrapedArtwork {
  kind: ArtworkKindName;
  url: string;
}

/** What a scraper knows about an item; every field optional. */
export interface ScrapedMetadata {
  title?: string;
  originalTitle?: string | null;
  sortTitle?: string | null;
  year?: number | null;
  premiereDate?: string | null;
  overview?: string | null;
  tagline?: string | null;
  genres?: string[];
  tags?: string[];
  studios?: string[];
  people?: PersonView[];
  communityRating?: number | null;
  criticRating?: number | null;
  officialRating?: string | null;
  providerIds?: Record<string, string>;
  artwork?: ScrapedArtwork[];
}

export interface IdentifyRequest {
  /** Search for this title instead of the item's own. */
  title?: string;
  year?: number;
  /** Only these scrapers (ids from `GET plugins/scrapers`); every capable enabled one when absent. */
  scrapers?: string[];
}

export interface IdentifyCandidate {
  scraper: string;
  scraperName: string;
  /** The scraper's own reference of this match; send it back to `apply-scrape`. */
  ref: string;
  title: string;
  year: number | null;
  overview: string | null;
  /** 0–1: how well the candidate matches the item (title, year, shared provider ids). */
  score: number;
  metadata: ScrapedMetadata;
}

export interface IdentifyResponse {
  itemId: string;
  query: { title: string; year: number | null };
  /** Best first. */
  candidates: IdentifyCandidate[];
  /** Scrapers that failed (timeout, crash, refused fetch…); the others still answered. */
  errors: { scraper: string; message: string }[];
}

export interface ApplyScrapeRequest {
  scraper: string;
  ref: string;
  /** Only these fields; all the scraper has when absent. Locked fields are never written. */
  fields?: EditableItemField[];
  /** Download the candidate's artwork (default true). */
  artwork?: boolean;
}

export interface ApplyScrapeResponse {
  jobId: string;
  deduplicated: boolean;
}

/** Payload of a `plugin-run` job: one call of a plugin's entry. */
export interface PluginRunPayload {
  pluginId: string;
  method: 'identify' | 'scrape';
  params: Record<string, unknown>;
}

/** Payload of a `metadata-import` job: apply one scraper's result to an item. */
export interface MetadataImportPayload {
  itemId: string;
  scraper: string;
  ref: string;
  fields?: EditableItemField[];
  artwork: boolean;
  requestedBy: { userId: string; username: string };
}
