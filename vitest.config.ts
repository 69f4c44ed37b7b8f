import { defineConfig } from "vitest/config";

// One real control plane (kube-apiserver + etcd) per run, started by the global setup;
// each test that needs Kubernetes makes a fresh namespace in it.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
