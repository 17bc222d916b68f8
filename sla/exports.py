"""Report tables and their exports: one `Table` list is shown on screen and written as CSV
or XLSX, every cell through `hotline.web.export_cells` (no formula ever runs)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hotline.web.export_cells import Cell, csv_cell, safe_cell

PERCENT, COUNT, DECIMAL, CHANGE, TEXT = "percent", "count", "decimal", "change", "text"
BY_ROW = "by_row"  # the column's kind and target come from `Table.row_kinds` / `row_targets`
XLSX_FORMATS = {PERCENT: "0.0%", COUNT: "0", DECIMAL: "0.0", CHANGE: "+0.0;-0.0;0.0"}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Column:
    heading: str
    kind: str = TEXT  # how numbers read: percent (a fraction), count, decimal, text
    target: float | None = None  # a percent column's target (colours the page)


@dataclass
class Table:
    key: str  # stable id (the page's element id, the sheet's order)
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    links: list[list[str | None]] = field(default_factory=list)  # per cell, on screen only
    note: str = ""
    row_kinds: list[str] = field(default_factory=list)
    row_targets: list[float | None] = field(default_factory=list)

    def kind(self, row: int, column: int) -> str:
        kind = self.columns[column].kind
        return self.row_kinds[row] if kind == BY_ROW else kind

    def target(self, row: int, column: int) -> float | None:
        if self.columns[column].kind == BY_ROW:
            return self.row_targets[row] if row < len(self.row_targets) else None
        return self.columns[column].target

    def link(self, row: int, column: int) -> str | None:
        if row < len(self.links) and column < len(self.links[row]):
            return self.links[row][column]
        return None


def shown(value: Cell, kind: str, missing: str) -> str:
    """A cell as text for the page and the CSV: percents with one decimal."""
    if value is None:
        return missing
    if kind == PERCENT and isinstance(value, (int, float)):
        return f"{value * 100:.1f}%"
    if kind == DECIMAL and isinstance(value, (int, float)):
        return f"{value:.1f}"
    if kind == CHANGE and isinstance(value, (int, float)):
        number = f"{abs(value):.1f}" if isinstance(value, float) else str(abs(value))
        return ("↑ " if value > 0 else "↓ " if value < 0 else "→ ") + number
    return str(value)


def csv_lines(heading: list[str], tables: list[Table], missing: str) -> Iterator[str]:
    """The tables one after another (title row, headings, rows, a blank line), with a BOM so
    that spreadsheet programs read UTF-8. Yielded line by line (a streamed response)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    yield "\ufeff"
    for line in heading:
        writer.writerow([csv_cell(line)])
    yield flush()
    for table in tables:
        writer.writerow([])
        writer.writerow([csv_cell(table.title)])
        writer.writerow([csv_cell(c.heading) for c in table.columns])
        yield flush()
        for r, row in enumerate(table.rows):
            writer.writerow([csv_cell(shown(v, table.kind(r, c), missing))
                             for c, v in enumerate(row)])
            yield flush()
        if table.note:
            writer.writerow([csv_cell(table.note)])
            yield flush()


def xlsx_bytes(heading: list[str], tables: list[Table], missing: str) -> bytes:
    """One sheet per table (write-only workbook: rows are written as they come)."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(title=_sheet_title(table.title, used))
        for index, column in enumerate(table.columns):  # before any row (write-only)
            width = max(12, min(40, 2 * len(column.heading) + 2))
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        for text in heading:
            sheet.append([safe_cell(text)])
        sheet.append([])
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=safe_cell(column.heading))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for r, row in enumerate(table.rows):
            cells = []
            for c, value in enumerate(row):
                cell = WriteOnlyCell(sheet, value=safe_cell(missing if value is None
                                                            else value))
                kind = table.kind(r, c)
                if kind in XLSX_FORMATS and isinstance(value, (int, float)):
                    cell.number_format = XLSX_FORMATS[kind]
                cells.append(cell)
            sheet.append(cells)
        if table.note:
            sheet.append([])
            sheet.append([safe_cell(table.note)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    """Sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31].strip() or "Sheet"
    name, n = clean, 2
    while name in used:
        name = f"{clean[:26]} {n}"
        n += 1
    used.add(name)
    return name
