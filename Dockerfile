# syntax=docker/dockerfile:1.7
# chatroom's images, from the repository root:
#   docker build -t chatroom .                    comet, logic, job, migrations, all-in-one: `chatroom <command>`
#   docker build --target web -t chatroom-web .   the browser client's static files behind nginx
#   docker build --target dev -t chatroom-dev .   the runtime with sources writable by its user (Tilt's live_update)
# Node 24 runs the TypeScript sources as they are (type stripping): the only build step is the web client's bundle.
# The runtime runs as user 1000 under tini, with production dependencies only, and writes nothing outside /tmp and
# /data (the all-in-one's SQLite folder), so it runs with a read-only root filesystem.

ARG NODE_IMAGE=node:24-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.29-alpine

# The npm workspace manifests alone: the dependency layers below are rebuilt only when one of these changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY packages/core/package.json packages/core/
COPY packages/kafka/package.json packages/kafka/
COPY packages/mysql/package.json packages/mysql/
COPY packages/backends/package.json packages/backends/
COPY packages/client/package.json packages/client/
COPY packages/web/package.json packages/web/
COPY services/comet/package.json services/comet/
COPY services/logic/package.json services/logic/
COPY services/job/package.json services/job/
COPY services/all-in-one/package.json services/all-in-one/

# Every dependency, for esbuild: bundles the web client into packages/web/public/app.js.
FROM manifests AS build
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY proto/src proto/src
COPY packages/client/src packages/client/src
COPY packages/web packages/web
RUN node packages/web/build.ts

# Production dependencies only: the root's devDependencies are left out, the workspaces' dependencies are installed
# and the workspaces themselves are linked into node_modules/@chatroom.
FROM manifests AS prod-deps
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime-base
# tini as PID 1: forwards SIGTERM to node (graceful drain) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini=0.19.0-1* \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
  CHATROOM_HOST=0.0.0.0 \
  CHATROOM_LOGIC_HOST=0.0.0.0 \
  CHATROOM_COMET_HOST=0.0.0.0 \
  CHATROOM_ADMIN_HOST=0.0.0.0 \
  CHATROOM_DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /app ./
COPY proto/src proto/src
COPY packages/core/src packages/core/src
COPY packages/kafka/src packages/kafka/src
COPY packages/mysql/src packages/mysql/src
COPY packages/backends/src packages/backends/src
COPY packages/web/server-paths.ts packages/web/
COPY --from=build /app/packages/web/public packages/web/public
COPY services/comet/src services/comet/src
COPY services/logic/src services/logic/src
COPY services/job/src services/job/src
COPY services/all-in-one/src services/all-in-one/src
COPY scripts/migrate.ts scripts/
COPY docs/openapi.yaml docs/
# `chatroom <command>` (scripts/k8s/chatroom.sh): one service per container.
COPY --chmod=0755 scripts/k8s/chatroom.sh /usr/local/bin/chatroom
RUN mkdir -p /data && chown 1000:1000 /data
# all-in-one 8080; logic 8090 (HTTP) 3119 (gRPC); comet 3102 (WebSocket) 3109 (gRPC); admin 9400-9403.
EXPOSE 8080 8090 3119 3102 3109 9400 9401 9402 9403
# The official image's "node" user, by number so that Kubernetes can check runAsNonRoot.
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/chatroom"]
CMD ["all-in-one"]

# Development: the sources Tilt syncs belong to the runtime user, and `node --watch` restarts on change.
FROM runtime-base AS dev
USER 0
RUN chown -R 1000:1000 /app/proto/src /app/packages /app/services /app/scripts
USER 1000:1000

# The web client: nginx (unprivileged, port 8080) serving the bundle; the chart adds /api, /goim and /ws proxying.
FROM ${NGINX_IMAGE} AS web
COPY --from=build /app/packages/web/public /usr/share/nginx/html

# The default target.
FROM runtime-base AS runtime
