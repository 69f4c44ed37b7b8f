// The question before a failover, answered on a stand-in terminal as a person would: y or Enter
// for Planned and Test, the word itself for Unplanned, Ctrl-C; and no question at all when
// standard input is not a terminal.
import { stripVTControlCharacters as plain } from "node:util";
import { describe, expect, it } from "vitest";
import type { FailoverType } from "../../src/api/index.ts";
import { UsageError } from "../../src/cli/command-io.ts";
import { confirm } from "../../src/cli/confirm.ts";
import { pressAt, testIo } from "./support.ts";

const YES_NO = "Fail over now?";
const TYPE_THE_WORD = "Type Unplanned to fail over";

/** What `confirm` returns when `keys` are pressed at its prompt, and what the terminal showed. */
async function answer(type: FailoverType, prompt: string, keys: string) {
  const io = testIo({ keyboard: true });
  const [confirmed] = await Promise.all([confirm(io, type), pressAt(io, prompt, keys)]);
  return { confirmed, shown: plain(io.out.text), io };
}

describe("the confirmation before a failover", () => {
  it("Planned and Test ask y/N: y goes ahead", async () => {
    const planned = await answer("Planned", YES_NO, "y\r");
    expect(planned.confirmed).toBe(true);
    expect(planned.shown).toContain("Fail over now? (y/N)");
    expect((await answer("Test", YES_NO, "yes\r")).confirmed).toBe(true);
  });

  it("Enter alone takes the default, which is No; n is a no", async () => {
    expect((await answer("Planned", YES_NO, "\r")).confirmed).toBe(false);
    expect((await answer("Test", YES_NO, "n\r")).confirmed).toBe(false);
  });

  it("Unplanned goes ahead only with the word itself typed: y, yes or another word is a no", async () => {
    const typed = await answer("Unplanned", TYPE_THE_WORD, "Unplanned\r");
    expect(typed.confirmed).toBe(true);
    expect(typed.shown).toContain("Type Unplanned to fail over, anything else to stop:");
    for (const other of ["y", "yes", "unplanned", "Planned", ""])
      expect((await answer("Unplanned", TYPE_THE_WORD, `${other}\r`)).confirmed, other).toBe(false);
  });

  it("Ctrl-C at the prompt is a no, not a crash, and the command's output stays open", async () => {
    for (const [type, prompt] of [
      ["Planned", YES_NO],
      ["Unplanned", TYPE_THE_WORD],
    ] as const) {
      const { confirmed, io } = await answer(type, prompt, "\u0003");
      expect(confirmed).toBe(false);
      // The command goes on to say why it stopped, on the same output.
      io.out.write("not confirmed\n");
      expect(io.out.text.endsWith("not confirmed\n")).toBe(true);
    }
  });

  it("without a terminal on standard input it refuses before asking, naming --yes", async () => {
    const io = testIo();
    const refused = confirm(io, "Unplanned");
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(
      "confirmation needed but standard input is not a terminal: pass --yes to go ahead (for Unplanned, --yes acknowledges the data loss)",
    );
    expect(io.out.text).toBe("");
  });
});
