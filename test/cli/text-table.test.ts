// The tables of `avd-dr status` and the demo, laid out as kubectl's: columns three spaces apart,
// no borders, nothing after a line's last character, and coloured cells lined up with plain ones.
import { stripVTControlCharacters as plain, styleText } from "node:util";
import { describe, expect, it } from "vitest";
import { textTable } from "../../src/cli/text-table.ts";

const green = (text: string) => styleText("green", text, { validateStream: false });
const red = (text: string) => styleText("red", text, { validateStream: false });

describe("a kubectl-style table", () => {
  it("pads each column to its widest cell, three spaces apart, with no border and no trailing space", () => {
    expect(
      textTable(
        ["NAME", "READY", "RTO"],
        [
          ["demo", "True", "4m57s"],
          ["a-longer-name", "False", "-"],
        ],
      ),
    ).toBe(
      ["NAME            READY   RTO", "demo            True    4m57s", "a-longer-name   False   -"].join(
        "\n",
      ),
    );
  });

  it("measures a coloured cell by what is seen, so the columns after it line up", () => {
    const table = textTable(
      ["NAME", "READY", "PROTECTED", "RTO"],
      [
        ["demo", green("True"), red("False"), "4m57s"],
        ["other", red("False"), green("True"), "-"],
      ],
    );
    // The colours are there, and cost no column.
    expect(table).toContain(green("True"));
    expect(plain(table).split("\n")).toEqual([
      "NAME    READY   PROTECTED   RTO",
      "demo    True    False       4m57s",
      "other   False   True        -",
    ]);
  });
});
