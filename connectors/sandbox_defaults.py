"""Where the local sandbox listens and the test credentials it accepts.

`sandbox_environment` sets every connector's variables to these: `linkstar run
--with-sandbox` (so `make run`), `make dev` and the tests point the connectors at a sandbox
that way. The connectors never fall back to them on their own: a source with nothing set is
not configured. The sandbox accepts exactly these. They are public test values, not secrets.
"""

SANDBOX_HOST = "127.0.0.1"
SANDBOX_PORT = 8910
SANDBOX_BASE_URL = f"http://{SANDBOX_HOST}:{SANDBOX_PORT}"

TIKTOK_SHOP_SANDBOX_APP_KEY = "linkstar-sandbox-app"
TIKTOK_SHOP_SANDBOX_APP_SECRET = "linkstar-sandbox-secret"
TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN = "linkstar-sandbox-token"
# Accepted as a known token whose validity has lapsed: the sandbox answers 105002 for it.
TIKTOK_SHOP_SANDBOX_EXPIRED_ACCESS_TOKEN = "linkstar-sandbox-expired-token"
# Renews an access token at the sandbox's `/api/v2/token/refresh` (same host and port).
TIKTOK_SHOP_SANDBOX_REFRESH_TOKEN = "linkstar-sandbox-refresh-token"

# TikTok Marketing API (ads). The sandbox environment leaves TIKTOK_ADS_ADVERTISER_IDS empty:
# the client then discovers the advertisers through oauth2/advertiser/get with the app id and
# secret, so the sandbox's advertisers (one per shop) need no list kept in step here.
TIKTOK_ADS_SANDBOX_APP_ID = "linkstar-sandbox-ads-app"
TIKTOK_ADS_SANDBOX_APP_SECRET = "linkstar-sandbox-ads-secret"
TIKTOK_ADS_SANDBOX_ACCESS_TOKEN = "linkstar-sandbox-ads-token"
# Answered with 40102 (expired) by the sandbox.
TIKTOK_ADS_SANDBOX_EXPIRED_ACCESS_TOKEN = "linkstar-sandbox-ads-expired-token"
# Reaches only the first sandbox advertiser (by id): others answer 40106.
TIKTOK_ADS_SANDBOX_SINGLE_ADVERTISER_TOKEN = "linkstar-sandbox-ads-one-advertiser-token"

# The ECB needs no credentials; the sandbox serves its files under the ECB's own path.
ECB_FX_SANDBOX_PATH = "/stats/eurofxref"

# 领星 Lingxing open API, served under its own path prefix. The AppId keys the AES signature,
# so it is 16 bytes like Lingxing's own. Pacing stays under the sandbox's 10/s bucket.
LINGXING_SANDBOX_PATH = "/lingxing"
LINGXING_SANDBOX_APP_ID = "ak_linkstar_sbx1"
LINGXING_SANDBOX_APP_SECRET = "linkstar-sandbox-lingxing-secret"
LINGXING_SANDBOX_REQUESTS_PER_MINUTE = "480"


def sandbox_environment(base_url: str) -> dict[str, str]:
    """The environment variables that point every connector at a sandbox on `base_url`."""
    return {
        "TIKTOK_SHOP_BASE_URL": base_url,
        "TIKTOK_SHOP_APP_KEY": TIKTOK_SHOP_SANDBOX_APP_KEY,
        "TIKTOK_SHOP_APP_SECRET": TIKTOK_SHOP_SANDBOX_APP_SECRET,
        "TIKTOK_SHOP_ACCESS_TOKEN": TIKTOK_SHOP_SANDBOX_ACCESS_TOKEN,
        "TIKTOK_SHOP_REFRESH_TOKEN": TIKTOK_SHOP_SANDBOX_REFRESH_TOKEN,
        "TIKTOK_SHOP_AUTH_BASE_URL": base_url,
        "FX_ECB_BASE_URL": f"{base_url}{ECB_FX_SANDBOX_PATH}",
        # The ads client appends /open_api/v1.3 itself.
        "TIKTOK_ADS_BASE_URL": base_url,
        "TIKTOK_ADS_ACCESS_TOKEN": TIKTOK_ADS_SANDBOX_ACCESS_TOKEN,
        "TIKTOK_ADS_APP_ID": TIKTOK_ADS_SANDBOX_APP_ID,
        "TIKTOK_ADS_APP_SECRET": TIKTOK_ADS_SANDBOX_APP_SECRET,
        "TIKTOK_ADS_ADVERTISER_IDS": "",  # empty: discover them (overrides a stray value)
        "ERP_API_VENDOR": "lingxing",
        "ERP_API_BASE_URL": f"{base_url}{LINGXING_SANDBOX_PATH}",
        "ERP_API_APP_ID": LINGXING_SANDBOX_APP_ID,
        "ERP_API_APP_SECRET": LINGXING_SANDBOX_APP_SECRET,
        "ERP_API_MAX_REQUESTS_PER_MINUTE": LINGXING_SANDBOX_REQUESTS_PER_MINUTE,
    }
