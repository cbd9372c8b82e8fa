"""The sandbox's ads world: advertisers per shop, deterministic days, restatement over time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sandbox.ads_generator import (
    ADDITIVE_METRICS,
    DAY,
    HOME_OFFICE_CURRENCY,
    HOME_OFFICE_TIMEZONE,
    HOUR,
    AdsDataset,
    ad_daily_truth,
    advertiser_daily_truth,
    advertiser_id_for_shop,
    build_ads_dataset,
    combined_reach,
    stats_as_of,
)
from sandbox.generator import DatasetConfig, generate_dataset

START, END = date(2026, 11, 14), date(2026, 11, 20)
DAYS = [date(2026, 10, 20) + timedelta(days=i) for i in range(20)]


def world(seed: int = 7, start: date = START) -> AdsDataset:
    dataset = generate_dataset(DatasetConfig(seed, start, END, orders_per_shop_day=0))
    return build_ads_dataset(dataset)


@pytest.fixture(scope="module")
def ads() -> AdsDataset:
    return world()


def settled_as_of(ad, day: date) -> int:
    """Long after every late conversion has arrived."""
    return ad.advertiser.local_midnight(day) + 20 * DAY


def test_one_advertiser_per_shop_with_ids_that_do_not_depend_on_the_seed(ads):
    dataset = generate_dataset(DatasetConfig(7, START, END, orders_per_shop_day=0))
    assert [a.shop_id for a in ads.advertisers] == [s.shop_id for s in dataset.shops]
    assert [a.advertiser_id for a in world(seed=99).advertisers] == [
        a.advertiser_id for a in ads.advertisers
    ]
    assert all(a.advertiser_id == advertiser_id_for_shop(a.shop_id) for a in ads.advertisers)
    assert len({a.advertiser_id for a in ads.advertisers}) == len(ads.advertisers)


def test_cross_border_shops_advertise_in_usd_on_shanghai_time_local_shops_in_their_own(ads):
    dataset = generate_dataset(DatasetConfig(7, START, END, orders_per_shop_day=0))
    shops = {s.shop_id: s for s in dataset.shops}
    for advertiser in ads.advertisers:
        shop = shops[advertiser.shop_id]
        if shop.seller_type == "CROSS_BORDER":
            assert (advertiser.currency, advertiser.timezone) == (
                HOME_OFFICE_CURRENCY,
                HOME_OFFICE_TIMEZONE,
            )
        else:
            assert (advertiser.currency, advertiser.timezone) == (shop.currency, shop.time_zone)
    id_shop = next(s for s in dataset.shops if s.region == "ID" and s.seller_type == "CROSS_BORDER")
    id_advertiser = next(a for a in ads.advertisers if a.shop_id == id_shop.shop_id)
    assert (id_advertiser.currency, id_shop.currency) == ("USD", "IDR")
    assert id_advertiser.timezone != id_shop.time_zone
    assert len({a.currency for a in ads.advertisers}) >= 3


def test_every_ad_names_its_video_and_a_product_from_its_shops_catalogue(ads):
    dataset = generate_dataset(DatasetConfig(7, START, END, orders_per_shop_day=0))
    assert len(ads.ads) >= 2 * len(ads.advertisers)
    for ad in ads.ads:
        catalogue = {sku.product_id for sku in dataset.catalogues[ad.advertiser.shop_id]}
        assert ad.product_id in catalogue
        assert ad.video_id and ad.tiktok_item_id.isdigit()
        view = ad.api_view(settled_as_of(ad, ad.first_day))
        assert view["item_group_ids"] == [ad.product_id]
    groups = {g.adgroup_id: g for g in ads.adgroups}
    assert all(groups[ad.adgroup_id].campaign_id == ad.campaign_id for ad in ads.ads)


def test_a_days_figures_depend_only_on_seed_advertiser_ad_and_day(ads):
    moved = world(start=START - timedelta(days=5))  # another window, the same ads
    assert [ad.ad_id for ad in moved.ads] == [ad.ad_id for ad in ads.ads]
    compared = 0
    for ad, same_ad in list(zip(ads.ads, moved.ads, strict=True))[:10]:
        for day in DAYS:
            if ad.delivers_on(day) and same_ad.delivers_on(day):  # launch dates follow the window
                as_of = settled_as_of(ad, day)
                assert stats_as_of(ad, day, as_of) == stats_as_of(same_ad, day, as_of)
                compared += 1
    assert compared > 50
    as_of = settled_as_of(ads.ads[0], DAYS[-1])
    wide = ad_daily_truth(ads, as_of, DAYS[0], DAYS[-1])
    narrow = ad_daily_truth(ads, as_of, DAYS[5], DAYS[8])
    assert narrow and all(wide[key] == value for key, value in narrow.items())


def test_another_seed_gives_other_numbers(ads):
    other = world(seed=8)
    as_of = settled_as_of(ads.ads[0], DAYS[-1])
    mine = advertiser_daily_truth(ads, as_of, DAYS[0], DAYS[-1])
    theirs = advertiser_daily_truth(other, as_of, DAYS[0], DAYS[-1])
    assert mine != theirs


def test_nothing_is_reported_until_eleven_hours_into_the_advertisers_day(ads):
    ad = next(ad for ad in ads.ads if ad.delivers_on(DAYS[10]))
    midnight = ad.advertiser.local_midnight(DAYS[10])
    assert stats_as_of(ad, DAYS[10], midnight + 11 * HOUR - 1) is None
    early = stats_as_of(ad, DAYS[10], midnight + 11 * HOUR)
    final = stats_as_of(ad, DAYS[10], settled_as_of(ad, DAYS[10]))
    assert early is not None and final is not None
    assert early.impressions < final.impressions


def test_conversions_and_value_only_grow_and_settle_within_eight_days(ads):
    restated = 0
    for ad in ads.ads[:15]:
        day = DAYS[12]
        if not ad.delivers_on(day):
            continue
        midnight = ad.advertiser.local_midnight(day)
        seen = [stats_as_of(ad, day, midnight + hours * HOUR) for hours in range(11, 24 * 9, 6)]
        conversions = [s.conversion for s in seen]
        values = [s.total_onsite_shopping_value for s in seen]
        assert conversions == sorted(conversions) and values == sorted(values)
        assert seen[-1] == stats_as_of(ad, day, settled_as_of(ad, day))
        after_two_days = stats_as_of(ad, day, midnight + 3 * DAY)
        restated += after_two_days.conversion < seen[-1].conversion
    assert restated > 0  # some conversions arrive after the usual 3-day look-back


def test_spend_is_reported_slightly_high_then_restated_two_days_after_the_day(ads):
    ad = next(ad for ad in ads.ads if stats_as_of(ad, DAYS[9], settled_as_of(ad, DAYS[9])).spend)
    midnight = ad.advertiser.local_midnight(DAYS[9])
    provisional = stats_as_of(ad, DAYS[9], midnight + 72 * HOUR - 1).spend
    settled = stats_as_of(ad, DAYS[9], midnight + 72 * HOUR).spend
    assert settled < provisional <= settled * 102 / 100
    assert stats_as_of(ad, DAYS[9], settled_as_of(ad, DAYS[9])).spend == settled


def test_days_without_impressions_have_unknown_video_metrics_but_zero_spend(ads):
    as_of = settled_as_of(ads.ads[0], DAYS[-1])
    truth = ad_daily_truth(ads, as_of, DAYS[0], DAYS[-1])
    idle = [stats for stats in truth.values() if stats.impressions == 0]
    assert idle, "the world should have some days without delivery"
    for stats in idle:
        assert stats.video_play_actions is None and stats.video_watched_6s is None
        assert stats.spend == 0 and stats.likes == 0 and stats.conversion == 0
    busy = [stats for stats in truth.values() if stats.impressions > 0]
    assert all(stats.video_play_actions is not None for stats in busy)
    assert all(str(stats.spend) == f"{stats.spend:.2f}" for stats in truth.values())


def test_paused_ads_stop_delivering_after_their_last_day(ads):
    paused = [ad for ad in ads.ads if ad.last_day is not None]
    assert paused
    ad = paused[0]
    after = ad.last_day + timedelta(days=1)
    assert stats_as_of(ad, after, settled_as_of(ad, after)) is None
    assert ad.api_view(ad.disable_time)["operation_status"] == "DISABLE"
    assert ad.api_view(ad.disable_time - 1)["operation_status"] == "ENABLE"


def test_advertiser_truth_is_the_sum_of_its_ads(ads):
    as_of = settled_as_of(ads.ads[0], DAYS[-1])
    per_ad = ad_daily_truth(ads, as_of, DAYS[0], DAYS[-1])
    totals = advertiser_daily_truth(ads, as_of, DAYS[0], DAYS[-1])
    advertiser = ads.advertisers[0]
    ad_ids = {ad.ad_id for ad in ads.ads_of(advertiser.advertiser_id)}
    day = DAYS[10]
    expected = sum(s.spend for (ad_id, d), s in per_ad.items() if ad_id in ad_ids and d == day)
    assert totals[(advertiser.advertiser_id, day)]["spend"] == expected
    assert set(totals[(advertiser.advertiser_id, day)]) == set(ADDITIVE_METRICS)


def test_combined_reach_lies_between_the_largest_part_and_the_sum():
    assert combined_reach([500], "k") == 500
    reach = combined_reach([500, 400, 300], "k")
    assert 500 <= reach < 1200
    assert combined_reach([500, 400, 300], "k") == reach
