// An exclusive lock between processes, as a file created with O_EXCL that holds the owner's
// pid: two test runs that both find the binaries missing build them once, not twice.
import { open, readFile, rm, stat } from "node:fs/promises";
import { isAlive, sleep } from "./processes.ts";

/** A lock file that names no pid is taken over after this long (its owner died mid-write). */
const UNNAMED_STALE_MS = 10_000;

async function isStale(lockPath: string): Promise<boolean> {
  const holder = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
  if (Number.isInteger(holder)) return !(await isAlive(holder));
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > UNNAMED_STALE_MS;
}

/**
 * Runs `fn` while holding the lock at `lockPath`, waiting (and saying so once through
 * `onWait`) while another live process holds it; a lock left by a dead process is taken over.
 */
export async function withLockFile<T>(
  lockPath: string,
  fn: () => Promise<T>,
  onWait: (holder: string) => void = () => {},
  pollMs = 500,
): Promise<T> {
  let waited = false;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (await isStale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (!waited) onWait((await readFile(lockPath, "utf8").catch(() => "?")).trim());
      waited = true;
      await sleep(pollMs);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
