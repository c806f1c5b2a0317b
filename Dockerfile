# syntax=docker/dockerfile:1
# One image for every app. Pick the app with the APP build arg / env var (relay | agent | chat),
# or override the command: `node dist/apps/<app>/src/main.js`.
# Node 24, the LTS line for images (Node 20 reached end of life on 2026-04-30). The code is tested
# on Node 20 only, which is what our machines and CI have; package.json engines names both.
ARG NODE_IMAGE=node:24-bookworm-slim

# deps: every dependency, dev ones included, exactly as the lock file says (needed to build).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# build: swc → dist/ (path aliases rewritten), the same `npm run build` as CI.
FROM deps AS build
COPY tsconfig.json .swcrc nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build

# prod-deps: runtime dependencies only, so the final image carries no compilers or test tools.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# runtime: prod node_modules + compiled code, run as the unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ARG APP=chat
ENV NODE_ENV=production \
    APP=${APP}
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 3000 3001 4000 4001
# exec: the app is PID 1's only child under `init: true`, and gets SIGTERM directly for a graceful stop.
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
