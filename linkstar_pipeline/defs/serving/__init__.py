"""Publishing the marts to BI tools (a self-contained DuckDB file + Parquet files)."""
