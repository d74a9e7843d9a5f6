# Samla: one image, one process per container, started the way `npm start` starts it.
# TypeScript runs through tsx (a runtime dependency), so there is no build step and the
# devDependencies (tests, type checker) stay out of the image.
FROM node:20-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so they are cached until package*.json change. No install scripts:
# none of Samla's dependencies needs one.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# The sources (.dockerignore leaves out tests, benchmarks, .env and local data).
COPY . .

# Never run as root: the node image's unprivileged user.
USER node

EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM (docker stop) makes Samla stop taking requests, finish what is in flight and exit 0.
CMD ["node", "bin/samla.js", "start"]
