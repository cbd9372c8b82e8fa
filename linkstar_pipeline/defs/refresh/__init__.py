"""The end-to-end refresh: ingest a range of days, rebuild the marts, publish them."""
