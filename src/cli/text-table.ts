// A table as kubectl prints one: headers as given, columns padded to their widest cell and three
// spaces apart, no borders. cli-table3 lays it out; it measures a cell by its visible text, so a
// coloured cell lines up with plain ones.
import Table from "cli-table3";

const NO_BORDERS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "   ",
};

export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({
    head: [...header],
    chars: NO_BORDERS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  table.push(...rows.map((cells) => [...cells]));
  // cli-table3 pads the last column as well; kubectl ends a line with its last character.
  return table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}
