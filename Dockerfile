# The console (web + worker, or either alone) as an image. It runs against an
# external, highly available PostgreSQL: set DATABASE_URL and
# CLUSTERDECK_SECRET (the same secret on every instance). See the README's
# "Production" section.
#
#   docker build -t clusterdeck .
#   docker run -e DATABASE_URL=… -e CLUSTERDECK_SECRET=… -p 3000:3000 clusterdeck                 # web + worker
#   docker run -e DATABASE_URL=… -e CLUSTERDECK_SECRET=… -p 3000:3000 clusterdeck start --no-build --no-worker   # web only
#   docker run -e DATABASE_URL=… -e CLUSTERDECK_SECRET=… clusterdeck worker                        # worker only

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
# Dependencies first (the postinstall generates the Prisma client from the schema).
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx next build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 CLUSTERDECK_HOST=0.0.0.0 PORT=3000
WORKDIR /app
RUN useradd --system --home-dir /app --shell /usr/sbin/nologin clusterdeck
COPY --from=build --chown=root:root /app /app
USER clusterdeck
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/clusterdeck.mjs"]
CMD ["start", "--no-build"]
