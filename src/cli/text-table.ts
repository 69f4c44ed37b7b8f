// A table as kubectl prints one: upper-case headers, columns padded to their widest cell and
// separated by three spaces. Widths are measured on the plain text; `style` colours a cell after
// padding, so escape codes never shift a column.

export type CellStyle = (padded: string, row: number, column: number) => string;

export function textTable(header: readonly string[], rows: readonly string[][], style?: CellStyle): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[], row: number) =>
    cells
      .map((cell, c) => {
        const padded = c === cells.length - 1 ? cell : cell.padEnd(widths[c]!);
        return row >= 0 && style ? style(padded, row, c) : padded;
      })
      .join("   ")
      .trimEnd();
  return [line(header, -1), ...rows.map(line)].join("\n");
}
