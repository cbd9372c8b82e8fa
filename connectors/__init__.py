"""API clients for LinkStar's sources: plain Python + requests, no Dagster imports."""
