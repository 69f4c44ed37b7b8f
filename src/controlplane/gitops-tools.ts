// The engines that Argo CD and Flux judge our objects' health with, for test/gitops: gopher-lua's
// glua (the Lua VM Argo CD runs health.lua in) and kstatus-check, a few lines of our own Go over
// kstatus (what Flux and kpt wait on). Both are built from the Go module proxy into the per-user
// tool cache, like helm; nothing is downloaded as a binary.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type GoProgram, wrapperModule } from "./go-build.ts";
import { type BuildOptions, ensureTool } from "./tool-cache.ts";

export const GOPHER_LUA_VERSION = "v1.1.2";
/** sigs.k8s.io/cli-utils, home of pkg/kstatus/status. */
export const CLI_UTILS_VERSION = "v0.37.2";

export const GLUA: GoProgram = {
  name: "glua",
  module: "github.com/yuin/gopher-lua",
  version: GOPHER_LUA_VERSION,
  pkg: "github.com/yuin/gopher-lua/cmd/glua",
  ldflags: ["-s", "-w"],
};

const KSTATUS_CHECK_SOURCE = join(import.meta.dirname, "kstatus-check", "main.go");

export async function kstatusCheckProgram(): Promise<GoProgram> {
  return {
    name: "kstatus-check",
    module: "sigs.k8s.io/cli-utils",
    version: CLI_UTILS_VERSION,
    pkg: wrapperModule("kstatus-check"),
    ldflags: ["-s", "-w"],
    mainGo: await readFile(KSTATUS_CHECK_SOURCE, "utf8"),
  };
}

/** Path of glua, building it first if the cache lacks it (needs Go). */
export function ensureGlua(options: BuildOptions = {}): Promise<string> {
  return ensureTool(GLUA, options);
}

/** Path of kstatus-check, building it first if the cache lacks it or main.go changed (needs Go). */
export async function ensureKstatusCheck(options: BuildOptions = {}): Promise<string> {
  return ensureTool(await kstatusCheckProgram(), options);
}
