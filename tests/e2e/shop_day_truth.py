"""Ads figures moved from the advertiser's days to the shop's days, computed independently of
the SQL with zoneinfo: an advertiser day is split by seconds of overlap with each shop day;
money pro rata, counts as whole numbers (rounded cumulative shares, half up) that keep the
advertiser day's total."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

COUNTS = ("impressions", "clicks", "complete_payment", "follows")


def shop_day_slices(day: date, advertiser_zone: str, shop_zone: str) -> list[tuple[date, Fraction]]:
    """(shop-local day, share of the advertiser day's seconds) for every shop day it overlaps."""
    starts = datetime.combine(day, time(), ZoneInfo(advertiser_zone)).timestamp()
    ends = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(advertiser_zone)).timestamp()
    shop = ZoneInfo(shop_zone)
    first = datetime.fromtimestamp(starts, shop).date()
    last = datetime.fromtimestamp(ends - 1, shop).date()
    slices = []
    local = first
    while local <= last:
        shop_starts = datetime.combine(local, time(), shop).timestamp()
        shop_ends = datetime.combine(local + timedelta(days=1), time(), shop).timestamp()
        overlap = min(ends, shop_ends) - max(starts, shop_starts)
        if overlap > 0:
            slices.append((local, Fraction(int(overlap), int(ends - starts))))
        local += timedelta(days=1)
    return slices


def _half_up(value: Fraction) -> int:
    return int(Decimal(value.numerator / Decimal(value.denominator)).quantize(0, ROUND_HALF_UP))


def split_count(count: int, slices: list[tuple[date, Fraction]]) -> list[tuple[date, int]]:
    """Whole-number parts of one advertiser day's count per shop day, summing to `count`."""
    parts, through, before = [], Fraction(0), 0
    for local, share in sorted(slices):
        through += share
        rounded = _half_up(count * through)
        parts.append((local, rounded - before))
        before = rounded
    return parts


def ad_counts_by_shop_day(sandbox, truth) -> dict[tuple[str, date], dict[str, int]]:
    """The ad report's counts per (shop, shop-local day), from the generator's ad-days; each
    advertiser's day is split on its own (as the warehouse does)."""
    by_id = {ad.ad_id: ad for ad in sandbox.ads_dataset.ads}
    shops = {shop.shop_id: shop for shop in sandbox.dataset.shops}
    advertiser_days: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for (ad_id, day), stats in truth.items():
        advertiser = by_id[ad_id].advertiser
        sums = advertiser_days[
            (advertiser.advertiser_id, advertiser.timezone, advertiser.shop_id, day)
        ]
        for name in COUNTS:
            sums[name] += getattr(stats, name)
    by_shop_day: dict[tuple[str, date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COUNTS, 0)
    )
    for (_advertiser, advertiser_zone, shop_id, day), sums in advertiser_days.items():
        slices = shop_day_slices(day, advertiser_zone, shops[shop_id].time_zone)
        for name, count in sums.items():
            for local, part in split_count(count, slices):
                by_shop_day[(shop_id, local)][name] += part
    return by_shop_day
