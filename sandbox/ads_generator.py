"""Seeded TikTok Ads world for the sandbox: advertisers, campaigns, ad groups, ads, daily stats.

One advertiser per shop, derived from `dataset.shops`, so new markets need no edit here.
Cross-border shops advertise from the seller's home office, in USD on Asia/Shanghai time
(UTC+8), so their report days and currency differ from the shop's; local shops advertise in
the shop's currency and time zone.

A day's figures are a pure function of (seed, advertiser, ad, advertiser-local day), whatever
window is asked for, and of the moment they are looked at (`as_of`): nothing shows until 11 h
after the local day starts, delivery then fills in over the rest of the day, spend is reported
slightly high until it is restated 48 h after the day ends, and conversions (credited to the
day the ad was shown) keep arriving for up to about 7 days.

Some advertisers also run one GMV Max campaign for their shop (`store_id`), reported per store
and day through its own endpoint with cost, orders, gross revenue and ROI (`gmv_max_as_of`).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from sandbox.generator import Dataset, Shop

HOUR = 3600
DAY = 86400

# Where cross-border sellers run their ad accounts (sandbox choice, common in practice).
HOME_OFFICE_CURRENCY = "USD"
HOME_OFFICE_TIMEZONE = "Asia/Shanghai"
HOME_OFFICE_COUNTRY = "CN"

# Ads start this many days before the order window, so look-backs and >30-day reports have data.
HISTORY_LEAD_DAYS = 40
FIRST_VISIBLE_HOURS = 11  # reference: data lands about 11 h late
DELIVERY_LAG_HOURS = 3  # delivery shows this late once the day is visible at all
SPEND_SETTLED_HOURS = 24 + 48  # spend is restated within 2 days after the day ends
NO_DELIVERY_RATE = 0.05  # share of ad-days with zero impressions (video metrics "-")
PAID_SHARE = 0.88  # conversions that end in a completed payment

# Rough units per USD, only so amounts look plausible in each currency.
_UNITS_PER_USD = {
    "USD": 1.0,
    "GBP": 0.79,
    "EUR": 0.92,
    "IDR": 16000.0,
    "THB": 36.0,
    "MYR": 4.5,
    "PHP": 57.0,
    "VND": 25000.0,
    "SGD": 1.34,
    "MXN": 18.0,
}
_WEEKDAY_FACTOR = (0.95, 0.9, 0.95, 1.0, 1.1, 1.15, 1.05)  # Monday first
_CENT = Decimal("0.01")

# Additive metrics: sums across ads and days are meaningful (reach is not: people overlap).
COUNT_METRICS = (
    "impressions",
    "clicks",
    "conversion",
    "complete_payment",
    "video_play_actions",
    "video_watched_2s",
    "video_watched_6s",
    "likes",
    "comments",
    "shares",
    "follows",
    "profile_visits",
)
MONEY_METRICS = ("spend", "total_onsite_shopping_value")
ADDITIVE_METRICS = MONEY_METRICS + COUNT_METRICS
# Unknown (None, sent as "-") on days without impressions.
VIDEO_METRICS = ("video_play_actions", "video_watched_2s", "video_watched_6s")


# ------------------------------------------------------------------------------ entities


@dataclass(frozen=True)
class Advertiser:
    """An ad account; every report figure is in its `currency` and on its `timezone`'s days."""

    advertiser_id: str
    name: str
    shop_id: str | None  # None: an account that sells for no shop (brand awareness)
    currency: str
    timezone: str
    country: str
    create_time: int

    def local_midnight(self, day: date) -> int:
        """Unix seconds at which `day` starts on the advertiser's clock."""
        return int(datetime.combine(day, time(), ZoneInfo(self.timezone)).timestamp())

    def local_day(self, unix_seconds: int) -> date:
        return datetime.fromtimestamp(unix_seconds, ZoneInfo(self.timezone)).date()

    def api_view(self) -> dict:
        """As `advertiser/info/` lists it (`display_timezone` is unconfirmed: sent as well)."""
        return {
            "advertiser_id": self.advertiser_id,
            "name": self.name,
            "currency": self.currency,
            "timezone": self.timezone,
            "display_timezone": self.timezone,
            "country": self.country,
            "status": "STATUS_ENABLE",
            "company": "LinkStar Trading Ltd.",
            "create_time": self.create_time,
        }


@dataclass(frozen=True)
class Campaign:
    """A shop-sales campaign; campaigns and ad groups stay enabled (only ads get paused)."""

    campaign_id: str
    advertiser_id: str
    name: str
    budget: Decimal
    budget_mode: str
    create_time: int

    def api_view(self) -> dict:
        return {
            "advertiser_id": self.advertiser_id,
            "campaign_id": self.campaign_id,
            "campaign_name": self.name,
            "campaign_type": "REGULAR_CAMPAIGN",
            "objective_type": "PRODUCT_SALES",
            "budget": f"{self.budget:.2f}",
            "budget_mode": self.budget_mode,
            "operation_status": "ENABLE",
            "secondary_status": "CAMPAIGN_STATUS_ENABLE",
            "create_time": api_time(self.create_time),
            "modify_time": api_time(self.create_time),
        }


@dataclass(frozen=True)
class AdGroup:
    """Video shopping ads for one shop (`store_id`)."""

    adgroup_id: str
    campaign_id: str
    advertiser_id: str
    name: str
    budget: Decimal
    optimization_goal: str
    store_id: str | None  # the shop whose products the group promotes; None: no shop
    create_time: int

    def api_view(self) -> dict:
        view = {
            "advertiser_id": self.advertiser_id,
            "campaign_id": self.campaign_id,
            "adgroup_id": self.adgroup_id,
            "adgroup_name": self.name,
            "budget": f"{self.budget:.2f}",
            "budget_mode": "BUDGET_MODE_DAY",
            "optimization_goal": self.optimization_goal,
            "billing_event": "OCPM",
            "placement_type": "PLACEMENT_TYPE_NORMAL",
            "placements": ["PLACEMENT_TIKTOK"],
            "shopping_ads_type": "VIDEO",
            "store_id": self.store_id,
            "operation_status": "ENABLE",
            "secondary_status": "ADGROUP_STATUS_DELIVERY_OK",
            "create_time": api_time(self.create_time),
            "modify_time": api_time(self.create_time),
        }
        if self.store_id is None:  # a group that promotes no shop has no store_id at all
            del view["store_id"]
        return view


@dataclass(frozen=True)
class Ad:
    """One video ad; delivers on local days `first_day`..`last_day` (open-ended when None)."""

    ad_id: str
    adgroup_id: str
    campaign_id: str
    advertiser: Advertiser
    name: str
    video_id: str
    tiktok_item_id: str
    identity_id: str
    product_id: str | None
    create_time: int
    first_day: date
    last_day: date | None
    disable_time: int | None
    # What a typical day settles at, before daily noise (advertiser currency via `units`).
    daily_impressions: int
    ctr: float
    cpm_usd: float
    cvr: float
    order_value_usd: float
    seed: int = field(repr=False)

    def delivers_on(self, day: date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)

    def api_view(self, as_of: int) -> dict:
        disabled = self.disable_time is not None and self.disable_time <= as_of
        modified = self.disable_time if disabled else self.create_time
        return {
            "advertiser_id": self.advertiser.advertiser_id,
            "campaign_id": self.campaign_id,
            "adgroup_id": self.adgroup_id,
            "ad_id": self.ad_id,
            "ad_name": self.name,
            "ad_format": "SINGLE_VIDEO",
            "video_id": self.video_id,
            "tiktok_item_id": self.tiktok_item_id,
            "identity_id": self.identity_id,
            "identity_type": "BC_AUTH_TT",
            # Sandbox choice: the promoted product, as Video Shopping Ads name it.
            "item_group_ids": [self.product_id] if self.product_id else [],
            "call_to_action": "SHOP_NOW",
            "operation_status": "DISABLE" if disabled else "ENABLE",
            "secondary_status": "AD_STATUS_DISABLE" if disabled else "AD_STATUS_DELIVERY_OK",
            "create_time": api_time(self.create_time),
            "modify_time": api_time(modified),
        }


def api_time(unix_seconds: int | None) -> str | None:
    """Entity times as the API writes them, `YYYY-MM-DD HH:MM:SS` (UTC: sandbox choice)."""
    if unix_seconds is None:
        return None
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class GmvMaxCampaign:
    """A shop's GMV Max campaign: TikTok optimises spend for the store's GMV on its own."""

    campaign_id: str
    advertiser: Advertiser
    store_id: str
    name: str
    create_time: int
    first_day: date  # advertiser-local day delivery starts
    daily_cost_usd: float
    roi: float  # what a typical day returns per unit of cost
    order_value_usd: float
    seed: int = field(repr=False)


# ------------------------------------------------------------------------------- dataset


@dataclass
class AdsDataset:
    """Every advertiser, campaign, ad group and ad; stats come from `stats_as_of`."""

    seed: int
    history_start: date
    advertisers: list[Advertiser]
    campaigns: list[Campaign]
    adgroups: list[AdGroup]
    ads: list[Ad]
    gmv_max_campaigns: list[GmvMaxCampaign] = field(default_factory=list)

    def advertiser(self, advertiser_id: str) -> Advertiser | None:
        return next((a for a in self.advertisers if a.advertiser_id == advertiser_id), None)

    def campaigns_of(self, advertiser_id: str) -> list[Campaign]:
        return [c for c in self.campaigns if c.advertiser_id == advertiser_id]

    def adgroups_of(self, advertiser_id: str) -> list[AdGroup]:
        return [g for g in self.adgroups if g.advertiser_id == advertiser_id]

    def ads_of(self, advertiser_id: str) -> list[Ad]:
        return [a for a in self.ads if a.advertiser.advertiser_id == advertiser_id]


def advertiser_id_for_shop(shop_id: str) -> str:
    """A fixed 19-digit id per shop, independent of the seed, so configs and docs can name it."""
    digest = hashlib.sha256(f"linkstar-ads-advertiser:{shop_id}".encode()).hexdigest()
    return "7" + f"{int(digest, 16) % 10**18:018d}"


def build_ads_dataset(
    dataset: Dataset,
    *,
    seed: int | None = None,
    history_start: date | None = None,
    brand_account: bool = False,
) -> AdsDataset:
    """The ads world for `dataset`'s shops; seed and start default to the dataset's config.
    `brand_account` adds an ad account that sells for no shop (see `_add_brand_account`)."""
    config = dataset.config
    if seed is None or history_start is None:
        if config is None:
            raise ValueError("pass seed and history_start for a dataset built without a config")
        seed = config.seed if seed is None else seed
        if history_start is None:
            history_start = config.start_date - timedelta(days=HISTORY_LEAD_DAYS)
    ads = AdsDataset(seed, history_start, [], [], [], [])
    for shop in dataset.shops:
        advertiser = _advertiser(seed, shop, history_start)
        ads.advertisers.append(advertiser)
        products = _promotable_products(dataset, shop)
        _add_structure(ads, advertiser, shop.code[:2], shop.shop_id, products)
        _add_gmv_max(ads, advertiser, shop)
    if brand_account:
        _add_brand_account(ads)
    return ads


BRAND_ACCOUNT_KEY = "brand-awareness"  # seeds the account's fixed id, like a shop id does


def _add_brand_account(ads: AdsDataset) -> None:
    """A home-office account running brand-awareness video ads for no shop: no advertiser↔shop
    link exists for it, and its ad groups carry no `store_id` (what a seller's agency or brand
    account looks like). Its figures are real spend that no shop's ads KPIs may absorb."""
    advertiser_id = advertiser_id_for_shop(BRAND_ACCOUNT_KEY)
    rng = random.Random(f"{ads.seed}:{advertiser_id}:account")
    opened = datetime.combine(ads.history_start, time(), UTC) - timedelta(days=rng.randint(30, 400))
    advertiser = Advertiser(
        advertiser_id=advertiser_id,
        name="LinkStar Brand Awareness",
        shop_id=None,
        currency=HOME_OFFICE_CURRENCY,
        timezone=HOME_OFFICE_TIMEZONE,
        country=HOME_OFFICE_COUNTRY,
        create_time=int(opened.timestamp()),
    )
    ads.advertisers.append(advertiser)
    _add_structure(ads, advertiser, "Brand", None, [])


GMV_MAX_SHARE = 0.5  # share of shops that run a GMV Max campaign


def _add_gmv_max(ads: AdsDataset, advertiser: Advertiser, shop: Shop) -> None:
    """Half the shops (seeded per advertiser; always the first) run one GMV Max campaign from a
    few days into the history, on its own random stream so the rest of the world is unchanged."""
    rng = random.Random(f"{ads.seed}:{advertiser.advertiser_id}:gmv_max")
    if ads.advertisers[0] is not advertiser and rng.random() >= GMV_MAX_SHARE:
        return
    created = advertiser.local_midnight(ads.history_start) + rng.randint(2, 8) * DAY
    ads.gmv_max_campaigns.append(
        GmvMaxCampaign(
            campaign_id="18" + _digits(rng, 17),
            advertiser=advertiser,
            store_id=shop.shop_id,
            name=f"{shop.code[:2]} GMV Max",
            create_time=created,
            first_day=advertiser.local_day(created) + timedelta(days=1),
            daily_cost_usd=rng.uniform(40.0, 250.0),
            roi=rng.uniform(2.0, 6.0),
            order_value_usd=rng.uniform(15.0, 40.0),
            seed=ads.seed,
        )
    )


def _advertiser(seed: int, shop: Shop, history_start: date) -> Advertiser:
    advertiser_id = advertiser_id_for_shop(shop.shop_id)
    if shop.seller_type == "CROSS_BORDER":
        currency, timezone, country = (
            HOME_OFFICE_CURRENCY,
            HOME_OFFICE_TIMEZONE,
            HOME_OFFICE_COUNTRY,
        )
    else:
        currency, timezone, country = shop.currency, shop.time_zone, shop.region
    rng = random.Random(f"{seed}:{advertiser_id}:account")
    opened = datetime.combine(history_start, time(), UTC) - timedelta(days=rng.randint(30, 400))
    return Advertiser(
        advertiser_id=advertiser_id,
        name=f"{shop.name} Ads",
        shop_id=shop.shop_id,
        currency=currency,
        timezone=timezone,
        country=country,
        create_time=int(opened.timestamp()),
    )


def _promotable_products(dataset: Dataset, shop: Shop) -> list[str]:
    """Product ids from the shop's catalogue (no gifts); empty for hand-built datasets."""
    skus = dataset.catalogues.get(shop.shop_id, ())
    return sorted({sku.product_id for sku in skus if not sku.is_gift})


def _add_structure(
    ads: AdsDataset,
    advertiser: Advertiser,
    label: str,
    store_id: str | None,
    products: list[str],
) -> None:
    """2-3 campaigns of 1-2 ad groups of 1-3 ads; some ads launch later, some get paused."""
    rng = random.Random(f"{ads.seed}:{advertiser.advertiser_id}:structure")
    units = units_per_usd(advertiser.currency)
    start = advertiser.local_midnight(ads.history_start)
    size = rng.uniform(0.5, 1.5)  # advertisers differ in scale
    for c in range(rng.randint(2, 3)):
        created = start + rng.randint(0, 3) * DAY + rng.randint(0, 20 * HOUR)
        campaign = Campaign(
            campaign_id="18" + _digits(rng, 17),
            advertiser_id=advertiser.advertiser_id,
            name=f"{label} {['Always-on', 'Promo', 'Retargeting'][c]} {c + 1}",
            budget=_money(rng.choice((100, 200, 300, 500)) * units),
            budget_mode="BUDGET_MODE_DAY" if c else "BUDGET_MODE_INFINITE",
            create_time=created,
        )
        ads.campaigns.append(campaign)
        for g in range(rng.randint(1, 2)):
            group = AdGroup(
                adgroup_id="18" + _digits(rng, 17),
                campaign_id=campaign.campaign_id,
                advertiser_id=advertiser.advertiser_id,
                name=f"{campaign.name} / group {g + 1}",
                budget=_money(rng.choice((50, 80, 120)) * units),
                optimization_goal=rng.choice(("VALUE", "CONVERT")),
                store_id=store_id,
                create_time=created + rng.randint(60, 3600),
            )
            ads.adgroups.append(group)
            for n in range(rng.randint(1, 3)):
                ads.ads.append(_ad(rng, ads.seed, advertiser, group, n, products, size))


def _ad(
    rng: random.Random,
    seed: int,
    advertiser: Advertiser,
    group: AdGroup,
    number: int,
    products: list[str],
    size: float,
) -> Ad:
    launched_later = rng.random() < 0.3
    created = group.create_time + rng.randint(60, 3600)
    if launched_later:
        created += rng.randint(5, 30) * DAY
    first_day = advertiser.local_day(created) + timedelta(days=1)
    last_day, disable_time = None, None
    if rng.random() < 0.2:  # paused after a while, early in the morning of the next day
        last_day = first_day + timedelta(days=rng.randint(10, 40))
        disable_time = advertiser.local_midnight(last_day + timedelta(days=1)) + 300
    return Ad(
        ad_id="18" + _digits(rng, 17),
        adgroup_id=group.adgroup_id,
        campaign_id=group.campaign_id,
        advertiser=advertiser,
        name=f"{group.name} / video {number + 1}",
        video_id="v10033g50000"
        + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=20)),
        tiktok_item_id="73" + _digits(rng, 17),
        identity_id="7" + _digits(rng, 18),
        product_id=rng.choice(products) if products else None,
        create_time=created,
        first_day=first_day,
        last_day=last_day,
        disable_time=disable_time,
        daily_impressions=int(rng.randint(2000, 30000) * size),
        ctr=rng.uniform(0.006, 0.025),
        cpm_usd=rng.uniform(2.5, 9.0),
        cvr=rng.uniform(0.02, 0.08),
        order_value_usd=rng.uniform(12.0, 45.0),
        seed=seed,
    )


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def units_per_usd(currency: str) -> float:
    return _UNITS_PER_USD.get(currency, 1.0)


def _money(amount: float) -> Decimal:
    return Decimal(repr(amount)).quantize(_CENT, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------------ stats


@dataclass(frozen=True)
class ConversionEvent:
    """One conversion credited to the day the ad was shown; reported once `arrives_after`
    seconds of the advertiser-local day have passed."""

    arrives_after: int
    paid: bool
    value: Decimal


@dataclass(frozen=True)
class SettledDay:
    """What an ad-day settles at once every late figure has arrived."""

    spend: Decimal
    spend_overcount: Decimal  # the provisional spend is this fraction too high
    impressions: int
    reach: int
    clicks: int
    video_play_actions: int | None
    video_watched_2s: int | None
    video_watched_6s: int | None
    video_play_seconds: Decimal | None  # average_video_play = this / video_play_actions
    likes: int
    comments: int
    shares: int
    follows: int
    profile_visits: int
    conversions: tuple[ConversionEvent, ...]


@dataclass(frozen=True)
class AdDayStats:
    """One ad on one advertiser-local day as reported at some `as_of`; None means "-"."""

    spend: Decimal
    impressions: int
    reach: int
    clicks: int
    conversion: int
    complete_payment: int
    total_onsite_shopping_value: Decimal
    video_play_actions: int | None
    video_watched_2s: int | None
    video_watched_6s: int | None
    video_play_seconds: Decimal | None
    likes: int
    comments: int
    shares: int
    follows: int
    profile_visits: int


@lru_cache(maxsize=65536)
def settled_day(ad: Ad, day: date) -> SettledDay:
    """The day's final figures, from a stream seeded by (seed, advertiser, ad, day) only."""
    rng = random.Random(f"{ad.seed}:{ad.advertiser.advertiser_id}:{ad.ad_id}:{day.isoformat()}")
    if rng.random() < NO_DELIVERY_RATE:
        return _no_delivery()
    units = units_per_usd(ad.advertiser.currency)
    impressions = int(ad.daily_impressions * _WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.6, 1.5))
    clicks = int(impressions * ad.ctr * rng.uniform(0.7, 1.3))
    plays = int(impressions * rng.uniform(0.55, 0.8))
    watched_2s = int(plays * rng.uniform(0.4, 0.6))
    likes = int(plays * rng.uniform(0.01, 0.04))
    conversions = tuple(
        _conversion(rng, ad.order_value_usd * units)
        for _ in range(int(clicks * ad.cvr * rng.uniform(0.6, 1.4)))
    )
    return SettledDay(
        spend=_money(impressions / 1000 * ad.cpm_usd * rng.uniform(0.85, 1.15) * units),
        spend_overcount=Decimal(f"{rng.uniform(0.005, 0.02):.4f}"),
        impressions=impressions,
        reach=int(impressions * rng.uniform(0.55, 0.85)),
        clicks=clicks,
        video_play_actions=plays,
        video_watched_2s=watched_2s,
        video_watched_6s=int(watched_2s * rng.uniform(0.35, 0.55)),
        video_play_seconds=_money(plays * rng.uniform(2.5, 8.0)),
        likes=likes,
        comments=int(likes * rng.uniform(0.02, 0.1)),
        shares=int(likes * rng.uniform(0.05, 0.2)),
        follows=int(plays * rng.uniform(0.001, 0.004)),
        profile_visits=int(clicks * rng.uniform(0.1, 0.3)),
        conversions=conversions,
    )


def _no_delivery() -> SettledDay:
    zero = Decimal("0.00")
    return SettledDay(zero, Decimal(0), 0, 0, 0, None, None, None, None, 0, 0, 0, 0, 0, ())


def _conversion(rng: random.Random, order_value: float) -> ConversionEvent:
    """Shown some time in the day, converted hours to days later, reported a little after."""
    shown = rng.uniform(0, DAY)
    lag = rng.random()
    if lag < 0.7:
        delay = rng.uniform(0, 12 * HOUR)
    elif lag < 0.95:
        delay = rng.uniform(12 * HOUR, 3 * DAY)
    else:
        delay = rng.uniform(3 * DAY, 7 * DAY)
    arrives = max(FIRST_VISIBLE_HOURS * HOUR, int(shown + delay) + DELIVERY_LAG_HOURS * HOUR)
    paid = rng.random() < PAID_SHARE
    value = _money(order_value * rng.uniform(0.6, 1.6)) if paid else Decimal("0.00")
    return ConversionEvent(arrives, paid, value)


def stats_as_of(ad: Ad, local_day: date, as_of: int) -> AdDayStats | None:
    """The ad's figures for an advertiser-local day as the API shows them at `as_of`
    (Unix seconds); None while the day is not reported yet or the ad did not run."""
    if not ad.delivers_on(local_day):
        return None
    elapsed = as_of - ad.advertiser.local_midnight(local_day)
    if elapsed < FIRST_VISIBLE_HOURS * HOUR:
        return None
    settled = settled_day(ad, local_day)
    share = min(1.0, max(0.0, (elapsed - DELIVERY_LAG_HOURS * HOUR) / DAY))
    arrived = [c for c in settled.conversions if c.arrives_after <= elapsed]
    paid = [c for c in arrived if c.paid]
    return AdDayStats(
        spend=_spend_at(settled, share, elapsed),
        impressions=_part(settled.impressions, share),
        reach=_part(settled.reach, share),
        clicks=_part(settled.clicks, share),
        conversion=len(arrived),
        complete_payment=len(paid),
        total_onsite_shopping_value=sum((c.value for c in paid), Decimal("0.00")),
        video_play_actions=_part(settled.video_play_actions, share),
        video_watched_2s=_part(settled.video_watched_2s, share),
        video_watched_6s=_part(settled.video_watched_6s, share),
        video_play_seconds=(
            None
            if settled.video_play_seconds is None
            else (settled.video_play_seconds * Decimal(share)).quantize(_CENT, ROUND_DOWN)
        ),
        likes=_part(settled.likes, share),
        comments=_part(settled.comments, share),
        shares=_part(settled.shares, share),
        follows=_part(settled.follows, share),
        profile_visits=_part(settled.profile_visits, share),
    )


def _part(value: int | None, share: float) -> int | None:
    if value is None:
        return None
    return value if share >= 1.0 else math.floor(value * share)


def _spend_at(settled: SettledDay, share: float, elapsed: int) -> Decimal:
    """Provisional spend runs slightly high until restated, 48 h after the day ends."""
    if elapsed >= SPEND_SETTLED_HOURS * HOUR:
        return settled.spend
    provisional = settled.spend * Decimal(share) * (1 + settled.spend_overcount)
    return provisional.quantize(_CENT, ROUND_DOWN)


def local_days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def combined_reach(reaches: Iterable[int], key: str) -> int:
    """Unique people over several ad-days: less than the sum (audiences overlap), at least the
    largest part; the overlap is a fixed function of `key`, so every call agrees."""
    parts = list(reaches)
    if len(parts) <= 1:
        return sum(parts)
    return max(max(parts), math.floor(sum(parts) * _overlap(key)))


@cache
def _overlap(key: str) -> float:
    return random.Random(f"reach-overlap:{key}").uniform(0.7, 0.9)


@dataclass(frozen=True)
class GmvMaxDay:
    """One GMV Max campaign on one advertiser-local day, in the advertiser's currency."""

    cost: Decimal
    orders: int
    gross_revenue: Decimal

    @property
    def roi(self) -> Decimal:
        """Gross revenue per unit of cost, two decimals (0 when nothing was spent)."""
        if not self.cost:
            return Decimal("0.00")
        return (self.gross_revenue / self.cost).quantize(_CENT, ROUND_HALF_UP)


@lru_cache(maxsize=16384)
def _gmv_max_settled(campaign: GmvMaxCampaign, day: date) -> GmvMaxDay:
    rng = random.Random(f"{campaign.seed}:{campaign.campaign_id}:{day.isoformat()}")
    units = units_per_usd(campaign.advertiser.currency)
    cost_usd = campaign.daily_cost_usd * _WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.7, 1.3)
    revenue_usd = cost_usd * campaign.roi * rng.uniform(0.6, 1.4)
    orders = max(0, round(revenue_usd / campaign.order_value_usd))
    return GmvMaxDay(_money(cost_usd * units), orders, _money(revenue_usd * units))


def gmv_max_as_of(campaign: GmvMaxCampaign, local_day: date, as_of: int) -> GmvMaxDay | None:
    """The campaign's figures for an advertiser-local day as reported at `as_of`: nothing for
    the first 11 h, then filling in over the day like the ad report (None: no row)."""
    if local_day < campaign.first_day or campaign.create_time > as_of:
        return None
    elapsed = as_of - campaign.advertiser.local_midnight(local_day)
    if elapsed < FIRST_VISIBLE_HOURS * HOUR:
        return None
    settled = _gmv_max_settled(campaign, local_day)
    share = min(1.0, max(0.0, (elapsed - DELIVERY_LAG_HOURS * HOUR) / DAY))
    if share >= 1.0:
        return settled
    return GmvMaxDay(
        (settled.cost * Decimal(share)).quantize(_CENT, ROUND_DOWN),
        math.floor(settled.orders * share),
        (settled.gross_revenue * Decimal(share)).quantize(_CENT, ROUND_DOWN),
    )


# ------------------------------------------------------------------------- ground truth


def gmv_max_daily_truth(
    ads: AdsDataset, as_of: int, start: date, end: date
) -> dict[tuple[str, str, str, date], GmvMaxDay]:
    """(advertiser_id, store_id, campaign_id, local day) -> GMV Max figures at `as_of`."""
    truth = {}
    for campaign in ads.gmv_max_campaigns:
        for day in local_days(start, end):
            figures = gmv_max_as_of(campaign, day, as_of)
            if figures is not None:
                key = (campaign.advertiser.advertiser_id, campaign.store_id, campaign.campaign_id)
                truth[(*key, day)] = figures
    return truth


def ad_daily_truth(
    ads: AdsDataset, as_of: int, start: date, end: date
) -> dict[tuple[str, date], AdDayStats]:
    """(ad_id, local day) -> figures at `as_of`, for every ad-day reported in [start, end]."""
    truth = {}
    for ad in ads.ads:
        if ad.create_time > as_of:
            continue
        for day in local_days(start, end):
            stats = stats_as_of(ad, day, as_of)
            if stats is not None:
                truth[(ad.ad_id, day)] = stats
    return truth


def advertiser_daily_truth(
    ads: AdsDataset, as_of: int, start: date, end: date
) -> dict[tuple[str, date], dict[str, Decimal | int | None]]:
    """(advertiser_id, local day) -> additive totals at `as_of`; a video metric stays None
    when no ad had it that day. Reach is left out: it cannot be summed."""
    by_id = {ad.ad_id: ad for ad in ads.ads}
    totals: dict[tuple[str, date], dict[str, Decimal | int | None]] = {}
    for (ad_id, day), stats in ad_daily_truth(ads, as_of, start, end).items():
        key = (by_id[ad_id].advertiser.advertiser_id, day)
        row = totals.setdefault(key, dict.fromkeys(ADDITIVE_METRICS))
        for name in ADDITIVE_METRICS:
            value = getattr(stats, name)
            if value is not None:
                row[name] = value if row[name] is None else row[name] + value
    return totals
