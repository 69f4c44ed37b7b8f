// Two runs that both need the binaries must not build them at the same time.
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { withLockFile } from "../../src/controlplane/lock-file.ts";
import { sleep } from "../../src/controlplane/processes.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "avd-dr-lock-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test("two holders never overlap: the second waits for the first and is told who holds the lock", async () => {
  const lock = join(dir, "overlap.lock");
  const events: string[] = [];
  const waits: string[] = [];
  const holder = (name: string) => async () => {
    events.push(`${name} in`);
    await sleep(150);
    events.push(`${name} out`);
  };
  await Promise.all([
    withLockFile(lock, holder("first"), (pid) => waits.push(pid), 20),
    sleep(20).then(() => withLockFile(lock, holder("second"), (pid) => waits.push(pid), 20)),
  ]);
  expect(events).toEqual(["first in", "first out", "second in", "second out"]);
  expect(waits).toEqual([String(process.pid)]);
  await expect(stat(lock)).rejects.toThrow(/ENOENT/);
});

test("the lock is released when the holder fails", async () => {
  const lock = join(dir, "failure.lock");
  await expect(withLockFile(lock, () => Promise.reject(new Error("build failed")))).rejects.toThrow(
    "build failed",
  );
  await expect(withLockFile(lock, async () => "next")).resolves.toBe("next");
});

test("a lock left by a dead process, or left empty long ago, is taken over", async () => {
  const dead = join(dir, "dead.lock");
  await writeFile(dead, "2147483646\n"); // above the largest pid Linux hands out
  await expect(withLockFile(dead, async () => readFile(dead, "utf8"))).resolves.toBe(`${process.pid}\n`);

  const empty = join(dir, "empty.lock");
  await writeFile(empty, "");
  const longAgo = new Date(Date.now() - 60_000);
  await utimes(empty, longAgo, longAgo);
  await expect(withLockFile(empty, async () => "taken")).resolves.toBe("taken");
});
