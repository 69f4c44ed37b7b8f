// The per-user cache of programs built from the Go module proxy (kube-apiserver, etcd, helm,
// glua, kstatus-check): a program counts as cached only with a stamp naming the module version
// (and our own main package's digest) it was built from, and what is missing is built once under
// a lock, however many runs ask at the same time.
import { createHash } from "node:crypto";
import { access, constants, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { buildGoProgram, checkGo, type GoProgram } from "./go-build.ts";
import { withLockFile } from "./lock-file.ts";

export interface BuildOptions {
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** `${XDG_CACHE_HOME:-~/.cache}/avd-dr`: every built program lives below it. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "avd-dr");
}

export async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** What a program is built from: a changed main.go is a different program. */
function buildStamp(program: GoProgram): string {
  const source = `${program.module}@${program.version}`;
  if (!program.mainGo) return source;
  return `${source} main.go sha256:${createHash("sha256").update(program.mainGo).digest("hex")}`;
}

async function isCached(dir: string, program: GoProgram): Promise<boolean> {
  const stamp = await readFile(join(dir, `${program.name}.version`), "utf8").catch(() => "");
  return stamp.trim() === buildStamp(program) && (await isExecutable(join(dir, program.name)));
}

/**
 * Makes sure each program is built into `dir/<name>`, building what is missing (minutes the
 * first time; needs Go) while holding `dir/build.lock`.
 */
export async function ensureGoPrograms(
  dir: string,
  programs: GoProgram[],
  options: BuildOptions = {},
): Promise<void> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const missing = async () => {
    const result: GoProgram[] = [];
    for (const p of programs) if (!(await isCached(dir, p))) result.push(p);
    return result;
  };
  if ((await missing()).length === 0) return;

  await mkdir(dir, { recursive: true });
  const lock = join(dir, "build.lock");
  const build = async (): Promise<void> => {
    const toBuild = await missing(); // another run may have built them while we waited
    if (toBuild.length === 0) return;
    log(`using ${await checkGo(join(dir, "go-version.log"), env)}`);
    for (const program of toBuild) {
      const started = Date.now();
      log(`building ${program.name} from ${program.module}@${program.version} (minutes the first time) …`);
      await buildGoProgram(program, join(dir, "build", program.name), join(dir, program.name), env);
      await writeFile(join(dir, `${program.name}.version`), `${buildStamp(program)}\n`);
      log(`built ${program.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  };
  await withLockFile(lock, build, (holder) => log(`waiting for another build (pid ${holder}, lock ${lock})`));
}

/** `<cache root>/tools/<name>-<version>`: where a single tool such as helm or glua is built. */
export function toolCacheDir(program: GoProgram, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), "tools", `${program.name}-${program.version}`);
}

/** Path of a single tool, building it into its own cache directory first if it is missing. */
export async function ensureTool(program: GoProgram, options: BuildOptions = {}): Promise<string> {
  const dir = toolCacheDir(program, options.env);
  await ensureGoPrograms(dir, [program], options);
  return join(dir, program.name);
}
