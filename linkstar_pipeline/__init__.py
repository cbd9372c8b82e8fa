"""LinkStar's Dagster code: ingestion assets, dbt assets, checks and schedules."""
