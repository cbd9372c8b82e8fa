"""TikTok Shop ingestion: shops and orders landed as raw pages."""
