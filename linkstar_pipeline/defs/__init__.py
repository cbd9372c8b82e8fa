"""Everything Dagster loads, one folder per source or concern (see definitions.py)."""
