// `avd-dr generate`: writes crds/*.yaml from the TypeBox schemas in src/api.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { crdFiles } from "../api/crds.ts";

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description("write the CustomResourceDefinitions in crds/ from src/api")
    .option("--out <dir>", "directory to write to", "crds")
    .action(async (options: { out: string }) => {
      await mkdir(options.out, { recursive: true });
      for (const [name, content] of crdFiles()) {
        const path = join(options.out, name);
        await writeFile(path, content);
        console.log(`wrote ${path}`);
      }
    });
}
