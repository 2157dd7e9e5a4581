"""Writing one report: the outline tree, the forms and their fields, blocks, checks, find, giải trình."""
