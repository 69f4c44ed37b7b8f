// Preloaded with `--import` (through NODE_OPTIONS): writes the URL of every module the process
// resolved to the file named by RECORD_MODULES_TO when it exits.
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.add(result.url);
    return result;
  },
});
process.on("exit", () => writeFileSync(process.env.RECORD_MODULES_TO!, JSON.stringify([...resolved])));
