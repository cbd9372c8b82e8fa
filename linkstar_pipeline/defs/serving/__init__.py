"""Publishing the marts to BI tools (Parquet + a views-only DuckDB file)."""
