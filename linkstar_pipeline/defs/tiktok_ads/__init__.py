"""TikTok Ads (Marketing API v1.3): advertisers, ad structure and the daily ad report."""
