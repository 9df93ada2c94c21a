# The demo (and the sandbox, same image, another command).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/wx-oauth/package.json libs/wx-oauth/
COPY libs/wx-sandbox/package.json libs/wx-sandbox/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json nest-cli.json ./
COPY scripts/write-esm-entries.mjs scripts/
COPY libs libs
COPY apps apps
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/libs/wx-oauth/package.json libs/wx-oauth/
COPY --from=build --chown=node:node /app/libs/wx-oauth/dist libs/wx-oauth/dist
# The sandbox package: the sandbox service's command, and the demo's in-process sandbox.
COPY --from=build --chown=node:node /app/libs/wx-sandbox/package.json libs/wx-sandbox/
COPY --from=build --chown=node:node /app/libs/wx-sandbox/dist libs/wx-sandbox/dist
COPY --from=build --chown=node:node /app/dist dist
# Where the demo keeps its users with no DATABASE_URL (data/demo.sqlite), written by the node user.
RUN mkdir data && chown node:node data
USER node
# Inside the container only: reachable through the port mapping and by the other services.
# Outside a container, the demo and the sandbox listen on 127.0.0.1.
ENV PORT=3000 HOST=0.0.0.0
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/demo/main.js"]
