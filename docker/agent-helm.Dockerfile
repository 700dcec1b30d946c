# Flotilla agent for Kubernetes (flotilla-agent-helm), with helm v3 and kubectl.
# Build from the repository root:  docker build -f docker/agent-helm.Dockerfile -t flotilla/agent-helm:0.1.0 .
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- tools: helm and kubectl from their official release servers, verified by SHA-256
FROM ${NODE_IMAGE} AS tools
ARG HELM_VERSION=3.18.4
ARG KUBECTL_VERSION=1.33.3
# Set by BuildKit; the default serves the legacy builder.
ARG TARGETARCH=amd64
# Pin the expected digests here for reproducible builds; left empty, the published checksum files are used.
ARG HELM_SHA256=
ARG KUBECTL_SHA256=
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /tmp/tools
RUN set -eu; \
    helm="helm-v${HELM_VERSION}-linux-${TARGETARCH}.tar.gz"; \
    curl -fsSLo "$helm" "https://get.helm.sh/$helm"; \
    sum="${HELM_SHA256:-$(curl -fsSL "https://get.helm.sh/$helm.sha256sum" | cut -d ' ' -f 1)}"; \
    echo "$sum  $helm" | sha256sum -c -; \
    tar -xzf "$helm"; \
    install -m 0755 "linux-${TARGETARCH}/helm" /usr/local/bin/helm; \
    kubectl="https://dl.k8s.io/release/v${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl"; \
    curl -fsSLo kubectl "$kubectl"; \
    sum="${KUBECTL_SHA256:-$(curl -fsSL "$kubectl.sha256")}"; \
    echo "$sum  kubectl" | sha256sum -c -; \
    install -m 0755 kubectl /usr/local/bin/kubectl; \
    helm version --short; kubectl version --client

# ---- build: all dependencies, compile protocol + agent-core + agent-helm
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
COPY agent-helm agent-helm
RUN npm run build -w @flotilla/protocol -w @flotilla/agent-core -w @flotilla/agent-helm

# ---- deps: production dependencies of agent-helm alone, laid out like the monorepo
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
RUN npm ci --omit=dev --workspace=@flotilla/agent-helm --include-workspace-root=false --no-audit --no-fund \
 && rm -rf hub agent-compose portal sdk bench docker package-lock.json
COPY --from=build /src/protocol/dist protocol/dist
COPY --from=build /src/agent-core/dist agent-core/dist
COPY --from=build /src/agent-helm/dist agent-helm/dist

# ---- runtime
FROM ${NODE_IMAGE}
# helm and kubectl keep caches and config under the state directory, so the root filesystem can be
# read-only (the Kubernetes manifest mounts a writable volume there).
ENV NODE_ENV=production \
    FLOTILLA_STATE_DIR=/var/lib/flotilla-agent \
    HELM_CACHE_HOME=/var/lib/flotilla-agent/.helm/cache \
    HELM_CONFIG_HOME=/var/lib/flotilla-agent/.helm/config \
    HELM_DATA_HOME=/var/lib/flotilla-agent/.helm/data \
    KUBECACHEDIR=/var/lib/flotilla-agent/.kube/cache
COPY --from=tools /usr/local/bin/helm /usr/local/bin/kubectl /usr/local/bin/
COPY --from=deps /app /app
RUN chmod 0755 /app/agent-helm/dist/bin.js \
 && ln -s /app/agent-helm/dist/bin.js /usr/local/bin/flotilla-agent-helm \
 && mkdir -p /var/lib/flotilla-agent && chown 1000:1000 /var/lib/flotilla-agent
WORKDIR /var/lib/flotilla-agent
# uid 1000 is `node` in the official Node.js images; numeric, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# Alive (fresh heartbeat file) and not cut off from the hub for more than 5 minutes.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["flotilla-agent-helm", "healthcheck"]
CMD ["flotilla-agent-helm"]
