# syntax=docker/dockerfile:1
#
# Marquee image: one image for every process, chosen by the command.
#   api (default):  node dist/apps/api/main.js      (HTTP on $PORT, serves the Angular client at /)
#   worker:         node dist/apps/worker/main.js   (no HTTP; disable the HEALTHCHECK below for it)
#   all-in-one:     node dist/apps/supervisor/main.js  runs api + worker as child processes; set
#                   DATABASE_URL (and optionally REDIS_URL) — the image is built for an external
#                   PostgreSQL, not for the embedded one that `npm start` uses on a workstation.
#   migrations:     node dist/scripts/migrations.js run   (api and worker also migrate at boot)
# The api and the worker need DATABASE_URL; see docker-compose.yml and README.md.

# node:20 (or node:22) bookworm-slim; package.json requires Node >= 20.19.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# build: install everything, compile the server (tsc → dist/) and the Angular client
# (dist/admin/browser), then drop the dev dependencies.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# No usage pings from install scripts (@scarf/scarf via swagger-ui-dist) or from the Angular CLI.
ENV SCARF_ANALYTICS=false \
    NG_CLI_ANALYTICS=false \
    CI=true

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
# runtime: Node + Debian's ffmpeg/ffprobe, bubblewrap (the plugin sandbox), the pruned node_modules
# and dist, as a non-root user.
# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates tini bubblewrap \
 && rm -rf /var/lib/apt/lists/*

# /data is created and owned by the app user before VOLUME, so a new named volume starts with
# that ownership.
RUN groupadd --system --gid 10001 marquee \
 && useradd --system --uid 10001 --gid marquee --no-create-home --home-dir /app --shell /usr/sbin/nologin marquee \
 && mkdir -p /data \
 && chown marquee:marquee /data

# The project root must stay /app with package.json (name "marquee") in it: the server finds the
# version and the built client (dist/admin/browser) relative to it. Files stay root-owned (read-only).
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    MARQUEE_DATA_DIR=/data \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    FFPROBE_PATH=/usr/bin/ffprobe

USER marquee
VOLUME ["/data"]
EXPOSE 8080

# Liveness of the api (slim images have no curl). The worker serves no HTTP: disable this check for
# it (docker-compose.yml does) or run it with --no-healthcheck.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# tini as PID 1 forwards SIGTERM to node and reaps ffmpeg children.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/api/main.js"]
