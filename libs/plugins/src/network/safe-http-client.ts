import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders, validateHeaderName, validateHeaderValue } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import { nonPublicReason } from './address-policy.js';
import { hostAllowed } from './host-patterns.js';
import { NetworkPolicyService } from './network-policy.service.js';

export interface SafeFetchOptions {
  /** Host patterns the URL (and every redirect) must match: `example.org`, `*.example.org`, `host:8080`. Absent: any host. */
  allowedHosts?: readonly string[];
  /**
   * The caller's own headers (an API key…). Connection-level and forwarding headers are dropped
   * (`Host` is always the URL's), and none of them follow a redirect to another origin.
   */
  headers?: Record<string, string>;
  /** Default 5 MiB. */
  maxBytes?: number;
  /** The whole exchange, redirects included; default 15 s. */
  timeoutMs?: number;
  /** Default 5. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface SafeFetchResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** After redirects. */
  url: string;
}

export type FetchFailure = 'refused' | 'timeout' | 'too-large' | 'network' | 'redirects';

/** A fetch that did not happen or did not finish; the message says which rule stopped it. */
export class SafeFetchError extends Error {
  constructor(
    readonly reason: FetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SafeFetchError';
  }
}

const DEFAULTS = { maxBytes: 5 * 1024 * 1024, timeoutMs: 15_000, maxRedirects: 5 };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ALLOW_HINT = 'an administrator can allow private networks with PATCH /api/v1/plugins/network-policy';
/**
 * Headers that say where and how the request travels rather than what it asks for: the client sets
 * them from the URL it checked, so a caller must not (a `Host` of its choosing would reach any
 * virtual host sharing a permitted host's address; forwarding headers would lie to the server's proxies).
 */
const HOST_CONTROLLED_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
  'accept-encoding',
  'http2-settings',
  'forwarded',
  'via',
  'x-real-ip',
]);
const HOST_CONTROLLED_PREFIXES = ['proxy-', 'x-forwarded-'];

/**
 * The one HTTP client for everything that leaves the server on a plugin's or scraper's behalf.
 * Only http(s); the host must match the caller's allowlist; the name is resolved and every address
 * checked (loopback, private, link-local, CGNAT, multicast, ULA, IPv4-mapped… are refused unless
 * the admin allows private networks) and the connection goes to the checked address, so DNS cannot
 * answer differently the second time. Redirects are followed by hand, capped, and each hop is
 * checked the same way. Whole-exchange timeout and a body size cap.
 */
@Injectable()
export class SafeHttpClient {
  constructor(private readonly policy: NetworkPolicyService) {}

  async get(input: string, options: SafeFetchOptions = {}): Promise<SafeFetchResponse> {
    const { maxBytes, timeoutMs, maxRedirects } = { ...DEFAULTS, ...options };
    const policy = await this.policy.get();
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    let url = parseUrl(input);
    const origin = url.origin;
    let headers = callerHeaders(options.headers ?? {}, url);
    for (let hop = 0; ; hop++) {
      this.checkUrl(url, options.allowedHosts);
      // As browsers drop Authorization: the caller's headers (its API key) are meant for the origin it asked.
      if (url.origin !== origin) headers = {};
      const allowPrivate = policy.allowPrivateNetworks || hostAllowed(url, policy.allowedPrivateHosts);
      const response = await this.request(url, { allowPrivate, maxBytes, timeoutMs, signal, headers });
      if (!REDIRECTS.has(response.status) || !response.headers.location) return response;
      if (hop >= maxRedirects) throw new SafeFetchError('redirects', `Fetching ${input} was redirected more than ${maxRedirects} times`);
      url = parseUrl(new URL(response.headers.location, url).toString());
    }
  }

  private checkUrl(url: URL, allowedHosts: readonly string[] | undefined): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new SafeFetchError('refused', `Refused to fetch ${url}: only http and https URLs are fetched`);
    if (url.username || url.password)
      throw new SafeFetchError('refused', `Refused to fetch ${redact(url)}: URLs with credentials are not fetched`);
    if (allowedHosts && !hostAllowed(url, allowedHosts)) {
      throw new SafeFetchError(
        'refused',
        `Refused to fetch ${redact(url)}: ${url.host} is not among the permitted hosts (${allowedHosts.join(', ') || 'none'})`,
      );
    }
  }

  private request(
    url: URL,
    options: { allowPrivate: boolean; maxBytes: number; timeoutMs: number; signal: AbortSignal; headers: Record<string, string> },
  ): Promise<SafeFetchResponse> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const shown = redact(url);
    const refuse = (address: string, reason: string) =>
      new SafeFetchError(
        'refused',
        `Refused to fetch ${shown}: ${address === host ? address : `${host} resolves to ${address}, which`} is ${reason} (${ALLOW_HINT})`,
      );
    if (isIP(host) && !options.allowPrivate) {
      const reason = nonPublicReason(host);
      if (reason) return Promise.reject(refuse(host, reason));
    }
    // Called by net for host names (never for IP literals): resolve, check every address, connect to a checked one.
    const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { all: true, verbatim: true }).then(
        (addresses) => {
          if (addresses.length === 0) return callback(new SafeFetchError('network', `${hostname} has no address`), '', 0);
          if (!options.allowPrivate) {
            for (const { address } of addresses) {
              const reason = nonPublicReason(address);
              if (reason) return callback(refuse(address, reason), '', 0);
            }
          }
          const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : 0;
          const usable = addresses.filter((a) => !wanted || a.family === wanted);
          if (usable.length === 0) return callback(new SafeFetchError('network', `${hostname} has no IPv${wanted} address`), '', 0);
          if (lookupOptions.all) return (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
          callback(null, usable[0].address, usable[0].family);
        },
        (error: Error) => callback(new SafeFetchError('network', `Could not resolve ${hostname}: ${error.message}`), '', 0),
      );
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<SafeFetchResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(error);
      };
      const onAbort = () =>
        fail(
          options.signal.reason instanceof DOMException && options.signal.reason.name === 'TimeoutError'
            ? new SafeFetchError('timeout', `Fetching ${shown} took longer than ${options.timeoutMs / 1000} s`)
            : new SafeFetchError('network', `Fetching ${shown} was cancelled`),
        );
      const req = client.request(
        url,
        {
          method: 'GET',
          lookup,
          headers: {
            'user-agent': 'Marquee',
            accept: 'application/json, image/*;q=0.9, */*;q=0.5',
            'accept-encoding': 'identity',
            ...options.headers,
          },
          agent: false,
        },
        (res) => {
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > options.maxBytes) {
            return fail(
              new SafeFetchError('too-large', `${shown} answered with ${declared} bytes, more than the ${options.maxBytes} allowed`),
            );
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > options.maxBytes)
              return fail(new SafeFetchError('too-large', `${shown} sent more than the ${options.maxBytes} bytes allowed`));
            chunks.push(chunk);
          });
          res.on('error', (error) => fail(new SafeFetchError('network', `Fetching ${shown} failed: ${error.message}`)));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            options.signal.removeEventListener('abort', onAbort);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.toString() });
          });
        },
      );
      req.on('error', (error) =>
        fail(error instanceof SafeFetchError ? error : new SafeFetchError('network', `Fetching ${shown} failed: ${error.message}`)),
      );
      if (options.signal.aborted) return onAbort();
      options.signal.addEventListener('abort', onAbort, { once: true });
      req.end();
    });
  }
}

function parseUrl(input: string): URL {
  try {
    return new URL(input);
  } catch {
    throw new SafeFetchError('refused', `Refused to fetch "${String(input).slice(0, 200)}": not a valid absolute URL`);
  }
}

/** The caller's headers without the host-controlled ones; a malformed name or value refuses the fetch. */
function callerHeaders(headers: Record<string, string>, url: URL): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (HOST_CONTROLLED_HEADERS.has(lower) || HOST_CONTROLLED_PREFIXES.some((prefix) => lower.startsWith(prefix))) continue;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, String(value));
    } catch {
      throw new SafeFetchError(
        'refused',
        `Refused to fetch ${redact(url)}: the header ${JSON.stringify(name.slice(0, 100))} is not a valid HTTP header`,
      );
    }
    kept[name] = String(value);
  }
  return kept;
}

/** The URL without its query string (which may carry an API key). */
function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
