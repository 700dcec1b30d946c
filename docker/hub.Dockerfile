# Flotilla hub: REST API, Socket.IO, queue workers and the built portal, in one image.
# Build from the repository root:  docker build -f docker/hub.Dockerfile -t flotilla/hub:0.1.0 .
# Base images are build args so that a mirror (or a digest: node:20-bookworm-slim@sha256:…) can be used.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile protocol + hub and build the portal
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Manifests first, so the dependency layer is reused while only sources change.
# npm ci needs every workspace's package.json (the workspaces test keeps this list complete).
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY hub/package.json hub/
COPY agent-core/package.json agent-core/
COPY agent-compose/package.json agent-compose/
COPY agent-helm/package.json agent-helm/
COPY portal/package.json portal/
COPY sdk/package.json sdk/
COPY bench/package.json bench/
COPY docker/package.json docker/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY protocol protocol
COPY hub hub
COPY portal portal
RUN npm run build -w @flotilla/protocol -w @flotilla/hub -w @flotilla/portal

# ---- deps: production dependencies of the hub alone, laid out like the monorepo
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY hub/package.json hub/
COPY agent-core/package.json agent-core/
COPY agent-compose/package.json agent-compose/
COPY agent-helm/package.json agent-helm/
COPY portal/package.json portal/
COPY sdk/package.json sdk/
COPY bench/package.json bench/
COPY docker/package.json docker/
RUN npm ci --omit=dev --workspace=@flotilla/hub --include-workspace-root=false --no-audit --no-fund \
 && rm -rf agent-core agent-compose agent-helm sdk bench docker package-lock.json
COPY --from=build /src/protocol/dist protocol/dist
COPY --from=build /src/hub/dist hub/dist
COPY --from=build /src/portal/dist portal/dist

# ---- runtime
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    PORTAL_DIR=/app/portal/dist \
    DATA_DIR=/var/lib/flotilla
WORKDIR /app
# Code stays root-owned (read-only to the hub); only DATA_DIR (embedded PostgreSQL, when DATABASE_URL is unset) is writable.
COPY --from=deps /app /app
RUN mkdir -p /var/lib/flotilla && chown 1000:1000 /var/lib/flotilla
# uid 1000 is `node` in the official Node.js images; numeric, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The hub drains on SIGTERM by itself (SHUTDOWN_TIMEOUT_MS); no init wrapper needed.
CMD ["node", "hub/dist/src/main.js"]
