# Flotilla agent for Docker hosts (flotilla-agent-compose), with the docker CLI and the compose v2 plugin.
# Build from the repository root:  docker build -f docker/agent-compose.Dockerfile -t flotilla/agent-compose:0.1.0 .
# It runs with the host's Docker socket mounted: see docker/README.md for why the container starts as root.
ARG NODE_IMAGE=node:20-bookworm-slim
# The official docker CLI image carries static `docker` and `docker-compose` (plugin) binaries.
ARG DOCKER_CLI_IMAGE=docker:28.3.3-cli

FROM ${DOCKER_CLI_IMAGE} AS docker-cli

# ---- build: all dependencies, compile protocol + agent-core + agent-compose
FROM ${NODE_IMAGE} AS build
WORKDIR /src
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
COPY agent-core agent-core
COPY agent-compose agent-compose
RUN npm run build -w @flotilla/protocol -w @flotilla/agent-core -w @flotilla/agent-compose

# ---- deps: production dependencies of agent-compose alone, laid out like the monorepo
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
RUN npm ci --omit=dev --workspace=@flotilla/agent-compose --include-workspace-root=false --no-audit --no-fund \
 && rm -rf hub agent-helm portal sdk bench docker package-lock.json
COPY --from=build /src/protocol/dist protocol/dist
COPY --from=build /src/agent-core/dist agent-core/dist
COPY --from=build /src/agent-compose/dist agent-compose/dist

# ---- runtime
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    FLOTILLA_STATE_DIR=/var/lib/flotilla-agent
COPY --from=docker-cli /usr/local/bin/docker /usr/local/bin/docker
COPY --from=docker-cli /usr/local/libexec/docker/cli-plugins/docker-compose /usr/local/libexec/docker/cli-plugins/docker-compose
COPY --from=deps /app /app
COPY docker/agent-entrypoint.sh /usr/local/bin/flotilla-entrypoint
RUN chmod 0755 /usr/local/bin/flotilla-entrypoint /app/agent-compose/dist/bin.js \
 && ln -s /app/agent-compose/dist/bin.js /usr/local/bin/flotilla-agent-compose \
 && mkdir -p /var/lib/flotilla-agent && chown 1000:1000 /var/lib/flotilla-agent
WORKDIR /var/lib/flotilla-agent
# uid 1000 is `node` in the official Node.js images.
USER 1000:1000
# Alive (fresh heartbeat file) and not cut off from the hub for more than 5 minutes.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["flotilla-agent-compose", "healthcheck"]
ENTRYPOINT ["flotilla-entrypoint"]
CMD ["flotilla-agent-compose"]
