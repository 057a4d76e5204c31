# LTI Attendance: the production image (docs/deploy.md). The build and start commands are the
# ones CI runs (test/integration/app/deploy-files.test.ts checks that they stay identical):
#   build: npm ci --no-audit --no-fund, then npm run build
#   start: node dist/src/main.js   (directly, so that SIGTERM reaches the process)
# Production needs MONGODB_URI (a replica set or Atlas), LTI_KEY and an https PUBLIC_URL.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/var/lib/lti-attendance
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY views ./views
COPY public ./public
COPY config ./config
RUN mkdir -p /var/lib/lti-attendance && chown node:node /var/lib/lti-attendance
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
