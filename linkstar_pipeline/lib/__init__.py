"""Helpers shared by several defs folders (paths, raw landing, warehouse access)."""
