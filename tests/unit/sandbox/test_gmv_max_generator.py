"""GMV Max figures of the ads generator: visibility on the data clock and ROI from sums."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sandbox.ads_generator import (
    DAY,
    FIRST_VISIBLE_HOURS,
    HOUR,
    GmvMaxDay,
    build_ads_dataset,
    gmv_max_as_of,
)
from sandbox.generator import DatasetConfig, generate_dataset


def _campaign():
    dataset = generate_dataset(DatasetConfig(7, date(2026, 11, 1), date(2026, 11, 3), 0))
    ads = build_ads_dataset(dataset)
    assert 0 < len(ads.gmv_max_campaigns) < len(ads.advertisers), "some shops, not all"
    return ads.gmv_max_campaigns[0]


def test_a_day_shows_nothing_for_11_hours_then_fills_in_and_settles():
    campaign = _campaign()
    day = campaign.first_day + timedelta(days=3)
    midnight = campaign.advertiser.local_midnight(day)
    assert gmv_max_as_of(campaign, day, midnight + FIRST_VISIBLE_HOURS * HOUR - 1) is None
    early = gmv_max_as_of(campaign, day, midnight + FIRST_VISIBLE_HOURS * HOUR)
    settled = gmv_max_as_of(campaign, day, midnight + 3 * DAY)
    assert early is not None and settled is not None
    assert early.cost < settled.cost and early.gross_revenue <= settled.gross_revenue
    assert gmv_max_as_of(campaign, day, midnight + 5 * DAY) == settled


def test_no_figures_before_the_campaign_starts():
    campaign = _campaign()
    before = campaign.first_day - timedelta(days=1)
    later = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    assert gmv_max_as_of(campaign, before, later) is None


def test_roi_is_revenue_over_cost_and_zero_without_cost():
    assert GmvMaxDay(Decimal("40.00"), 3, Decimal("130.00")).roi == Decimal("3.25")
    assert GmvMaxDay(Decimal("0.00"), 0, Decimal("0.00")).roi == Decimal("0.00")
