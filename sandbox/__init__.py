"""Local emulator of the TikTok Shop Partner API (202309) with a seeded order generator.

`sandbox.generator` builds the world, `sandbox.ground_truth` computes KPI truth from it,
`sandbox.tiktok_shop_api` answers requests and `sandbox.server` serves them over HTTP.
"""
