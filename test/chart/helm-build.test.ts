// Where helm comes from: built from the Go module proxy into the per-user cache, never downloaded.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ensureHelm, HELM_VERSION, helmCacheDir } from "../../src/controlplane/helm.ts";

test("with nothing cached and no Go on PATH, the error says how to install Go", async () => {
  const cache = await mkdtemp(join(tmpdir(), "avd-dr-helm-cache-"));
  try {
    const env = { XDG_CACHE_HOME: cache, PATH: "/nonexistent" };
    await expect(ensureHelm({ env })).rejects.toThrow(
      "the Go toolchain is not on PATH: install Go (https://go.dev/doc/install) and put `go` on PATH",
    );
    expect(helmCacheDir(env)).toBe(join(cache, "avd-dr", "tools", `helm-${HELM_VERSION}`));
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});
