"""Rows for the spreadsheets the portal writes for others to open.

A name or employer beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would be a live formula in Excel or LibreOffice (OWASP "CSV injection"). Such values are
written as text cells with Excel's quote prefix: the value stays exactly what was declared,
is shown as text, and stays text when somebody edits the cell.
"""

from openpyxl.cell import WriteOnlyCell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def text_safe_row(sheet, values) -> list:
    """``values`` for ``sheet.append`` (a write-only sheet), formula triggers made inert."""
    row = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row
