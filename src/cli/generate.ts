// `avd-dr generate`: writes crds/*.yaml and the chart's copy from the TypeBox schemas in src/api.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { CRD_DIRS, crdFiles } from "../api/crds.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerGenerate(program: Command): void {
  program
    .command("generate")
    .description(`write the CustomResourceDefinitions in ${CRD_DIRS.join(" and ")} from src/api`)
    .option("--out <dir>", `directory to write to; repeatable (default: ${CRD_DIRS.join(", ")})`, collect, [])
    .action(async (options: { out: string[] }) => {
      for (const dir of options.out.length ? options.out : CRD_DIRS) {
        await mkdir(dir, { recursive: true });
        for (const [name, content] of crdFiles()) {
          const path = join(dir, name);
          await writeFile(path, content);
          console.log(`wrote ${path}`);
        }
      }
    });
}
