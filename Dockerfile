# The operator image. Node 24 runs the TypeScript sources directly (type stripping), so there is
# no build stage: the image holds the sources, the CRDs and the production dependencies.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# V8 otherwise sizes its heap from the host's memory and lets garbage pile up to hundreds of MiB
# during a large failover; these caps keep the operator near its live set (bench/failover-scale.ts
# runs the operator with the same options).
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=2"
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY crds ./crds
# The image's `node` user by number, so that runAsNonRoot can be checked by the kubelet.
USER 1000:1000
ENTRYPOINT ["node", "bin/avd-dr.js"]
CMD ["operator"]
