"""One module per block kind, found by kind name through nq57desk/report/kinds.py (its docstring: the functions)."""
