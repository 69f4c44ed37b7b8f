// Builds a Go program from the Go module proxy through a wrapper module generated at run
// time: k8s.io/kubernetes can't be `go install`ed because its go.mod replaces its staging
// modules with local paths, but a module that requires it and replaces each staging module
// with its published version (v1.N.x → v0.N.x) builds cmd/kube-apiserver. The wrapper can
// also hold a main package of our own that imports the required module (a library, not a program).
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface GoProgram {
  /** Name of the binary. */
  name: string;
  /** The module that holds the program and the version to build. */
  module: string;
  version: string;
  /** Import path of the program's main package: in `module`, or `wrapperModule(name)` with `mainGo`. */
  pkg: string;
  ldflags: string[];
  /** Go source of our own main package, written into the wrapper module as main.go. */
  mainGo?: string;
  /** Replace every module its own go.mod points at a local staging directory (Kubernetes). */
  replaceStaging?: { version: string };
}

export class GoMissingError extends Error {}

const INSTALL_HINT = "install Go (https://go.dev/doc/install) and put `go` on PATH";

/** Runs `go args…` in `cwd`, appending its output to `logFile`; returns stdout. Fails with the output's tail. */
async function go(args: string[], cwd: string, logFile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const log = createWriteStream(logFile, { flags: "a" });
  log.write(`$ go ${args.join(" ")}\n`);
  const child = spawn("go", args, {
    cwd,
    // Never fetch a Go toolchain binary at run time; build with the one installed.
    env: { ...env, GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let tail = "";
  // Both streams feed the tail: `go mod download -json` reports its errors on stdout.
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-6_000);
    log.write(chunk);
  };
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    keep(chunk);
  });
  child.stderr.on("data", keep);
  const outcome = await new Promise<{ code: number | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => resolve({ code: null, error }));
    child.once("close", (code) => resolve({ code }));
  });
  await new Promise((resolve) => log.end(resolve));
  if (outcome.error?.code === "ENOENT")
    throw new GoMissingError(`the Go toolchain is not on PATH: ${INSTALL_HINT}`);
  if (outcome.error) throw outcome.error;
  if (outcome.code !== 0) {
    const lastLines = tail.trimEnd().split("\n").slice(-25).join("\n");
    throw new Error(
      `\`go ${args.join(" ")}\` failed (exit ${outcome.code}) in ${cwd}; full log ${logFile}:\n${lastLines}`,
    );
  }
  return stdout;
}

/** Fails with how to install Go when it is missing; returns `go version`'s answer. */
export async function checkGo(logFile: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (await go(["version"], process.cwd(), logFile, env)).trim();
}

/** The go.mod of a published module version, from the module proxy (through Go's module cache). */
async function publishedGoMod(
  module: string,
  version: string,
  cwd: string,
  logFile: string,
  env: NodeJS.ProcessEnv,
) {
  const info = JSON.parse(
    await go(["mod", "download", "-json", `${module}@${version}`], cwd, logFile, env),
  ) as {
    GoMod?: string;
    Error?: string;
  };
  if (!info.GoMod)
    throw new Error(`go mod download ${module}@${version}: ${info.Error ?? "no go.mod in the answer"}`);
  return readFile(info.GoMod, "utf8");
}

/** Modules that a go.mod replaces with a local ./staging directory (Kubernetes' own modules). */
export function stagingModules(goMod: string): string[] {
  return [...goMod.matchAll(/^\s*(\S+)\s+=>\s+\.\/staging\//gm)].map((m) => m[1]!).sort();
}

/** Module path of the wrapper module generated to build the program `name`. */
export function wrapperModule(name: string): string {
  return `avd-dr.local/build/${name}`;
}

/** The text of the generated wrapper module's go.mod. */
export function wrapperGoMod(program: GoProgram, upstreamGoMod: string): string {
  const goDirective = upstreamGoMod.match(/^go\s+(\S+)/m)?.[1] ?? "1.24";
  const lines = [
    `module ${wrapperModule(program.name)}`,
    "",
    `go ${goDirective}`,
    "",
    `require ${program.module} ${program.version}`,
  ];
  if (program.replaceStaging) {
    const staging = stagingModules(upstreamGoMod);
    if (staging.length === 0)
      throw new Error(`${program.module} ${program.version}: its go.mod replaces no staging modules`);
    lines.push(
      "",
      "replace (",
      ...staging.map((m) => `\t${m} => ${m} ${program.replaceStaging?.version}`),
      ")",
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Generates the wrapper module in `workDir` and builds `program` into `outPath`
 * (atomically: a half-written binary never appears there).
 */
export async function buildGoProgram(
  program: GoProgram,
  workDir: string,
  outPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  await mkdir(workDir, { recursive: true });
  const logFile = join(workDir, "build.log");
  await rm(logFile, { force: true });
  const upstreamGoMod = await publishedGoMod(program.module, program.version, workDir, logFile, env);
  await writeFile(join(workDir, "go.mod"), wrapperGoMod(program, upstreamGoMod));
  for (const file of ["go.sum", "tools.go", "main.go"]) await rm(join(workDir, file), { force: true });
  // Our main.go's imports, or else a tools file, keep the program's packages (and so their
  // dependencies) in the module graph for `go mod tidy`.
  if (program.mainGo) await writeFile(join(workDir, "main.go"), program.mainGo);
  else
    await writeFile(
      join(workDir, "tools.go"),
      `//go:build tools\n\npackage tools\n\nimport _ "${program.pkg}"\n`,
    );
  await go(["mod", "tidy"], workDir, logFile, env);
  const partial = `${outPath}.partial-${process.pid}`;
  try {
    await go(
      ["build", "-o", partial, "-ldflags", program.ldflags.join(" "), program.pkg],
      workDir,
      logFile,
      env,
    );
    await rename(partial, outPath);
  } finally {
    await rm(partial, { force: true });
  }
}
