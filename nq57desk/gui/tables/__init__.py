"""Tables of a report: the grid editor, multi-level headers, row operations, what a table shows."""
