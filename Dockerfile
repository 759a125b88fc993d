# syntax=docker/dockerfile:1
# One image, five services chosen by command (`docker run IMAGE poller`) or by SERVICE=…,
# and the command line: `docker run IMAGE rc doctor` (SPEC 3.6). Runs as the non-root `node`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@9.15.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json tsconfig.json ./
COPY packages packages
COPY services services
COPY scripts scripts
RUN pnpm install --frozen-lockfile && pnpm build

# Production dependencies only, in a flat node_modules: the bundles under dist/ resolve their
# npm packages from /app/node_modules (pnpm's default layout would hide them per package).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN npm install -g pnpm@9.15.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY --from=build /app/packages packages
COPY --from=build /app/services services
RUN find packages services -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} + \
 && pnpm install --prod --frozen-lockfile --config.node-linker=hoisted --ignore-scripts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production SERVICE=all-in-one
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY scripts/image/entrypoint.sh /usr/local/bin/remote-completion
RUN printf '#!/bin/sh\nexec /usr/local/bin/remote-completion rc "$@"\n' > /usr/local/bin/rc \
 && chmod 755 /usr/local/bin/rc /usr/local/bin/remote-completion
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.RC_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `docker run IMAGE poller`, `docker run IMAGE rc doctor`, or no command: the SERVICE variable.
ENTRYPOINT ["/usr/local/bin/remote-completion"]
CMD []
