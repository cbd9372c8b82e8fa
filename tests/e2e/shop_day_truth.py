"""Ads figures moved from the advertiser's days to the shop's days, computed independently of
the SQL with zoneinfo: an advertiser day (up to the moment it was reported, if that came
before its end) is cut by seconds of overlap with each shop day; money in cents and counts in
units by largest remainders, so the parts keep the advertiser day's total exactly."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

COUNTS = ("impressions", "clicks", "complete_payment", "follows")


def shop_day_slices(
    day: date, advertiser_zone: str, shop_zone: str, reported_at: int
) -> list[tuple[date, Fraction]]:
    """(shop-local day, share of the seconds the advertiser day's figures cover) for every shop
    day it overlaps; figures reported before the day ended cover it up to `reported_at` (Unix
    seconds)."""
    starts = datetime.combine(day, time(), ZoneInfo(advertiser_zone)).timestamp()
    ends = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(advertiser_zone)).timestamp()
    if starts < reported_at < ends:
        ends = reported_at
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


def largest_remainders(whole: int, slices: list[tuple[date, Fraction]]) -> list[tuple[date, int]]:
    """Whole-unit parts of `whole` per shop day: each part the floor of its exact share, the
    units left over one each to the largest remainders (the earlier day first on a tie)."""
    sign, units = (-1 if whole < 0 else 1), abs(whole)
    exact = [(local, units * share) for local, share in sorted(slices)]
    parts = {local: int(value) for local, value in exact}  # floor: value >= 0
    left = units - sum(parts.values())
    by_remainder = sorted(exact, key=lambda item: (-(item[1] - int(item[1])), item[0]))
    for local, _ in by_remainder[:left]:
        parts[local] += 1
    return [(local, sign * part) for local, part in sorted(parts.items())]


def money_parts(amount: Decimal, slices: list[tuple[date, Fraction]]) -> list[tuple[date, Decimal]]:
    """An amount cut into cents per shop day (largest remainders)."""
    cents = int(amount * 100)
    return [(local, Decimal(part) / 100) for local, part in largest_remainders(cents, slices)]


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
        slices = shop_day_slices(day, advertiser_zone, shops[shop_id].time_zone, sandbox.as_of())
        for name, count in sums.items():
            for local, part in largest_remainders(count, slices):
                by_shop_day[(shop_id, local)][name] += part
    return by_shop_day
