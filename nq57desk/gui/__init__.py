"""nq57desk.gui"""
