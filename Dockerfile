# syntax=docker/dockerfile:1
# Trellis as a container image. The build stage compiles the TypeScript (SWC, scripts/build.mjs); the runtime stage carries the
# production dependencies and dist/ only, and runs as the unprivileged `node` user.
#   docker build -t trellis .
#   docker run -e TRELLIS_ROLE=api -e DATABASE_URL=... -e REDIS_URL=... -e TRELLIS_ENCRYPTION_KEY=... -p 3000:3000 trellis
# The role comes from TRELLIS_ROLE (api, worker or all), which `trellis start` reads as it would --role.
# The agents folder and the configuration are volumes: /app/agents and /app/config.
# No Docker engine runs where this was written: test/ecosystem/container.spec.ts checks this file against
# package.json and runs its entry command directly against a real Postgres and Redis.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/vendor-bundles.mjs ./scripts/
COPY src ./src
COPY migrations ./migrations
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# git: the agents sync records the checkout's commit and GitOps fetches, when a Git checkout is mounted.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
COPY agents ./agents
RUN mkdir -p /app/.trellis && chown node:node /app/.trellis
ENV NODE_ENV=production \
    TRELLIS_ENV=production \
    TRELLIS_ROLE=all \
    PORT=3000 \
    AGENTS_DIR=/app/agents \
    TRELLIS_CONFIG_DIR=/app/config \
    TRELLIS_DATA_DIR=/app/.trellis
USER node
VOLUME ["/app/agents", "/app/config"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/trellis.js", "start"]
