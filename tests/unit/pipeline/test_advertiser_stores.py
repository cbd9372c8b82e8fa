"""The advertiser ↔ store link the GMV Max ingestion reads from the advertiser_shops seed."""

from __future__ import annotations

import pytest

from linkstar_pipeline.defs.tiktok_ads.landing import stores_by_advertiser
from sandbox.ads_generator import advertiser_id_for_shop


def test_the_shipped_seed_links_each_sandbox_advertiser_to_its_shop():
    stores = stores_by_advertiser()
    assert stores and all(len(shops) == 1 for shops in stores.values())
    for advertiser_id, [shop_id] in stores.items():
        assert advertiser_id_for_shop(shop_id) == advertiser_id


def test_an_advertiser_may_sell_for_several_stores(tmp_path):
    path = tmp_path / "advertiser_shops.csv"
    path.write_text("advertiser_id,shop_id,note\n71,81,a\n71,82,b\n72,83,\n", encoding="utf-8")
    assert stores_by_advertiser(path) == {"71": ["81", "82"], "72": ["83"]}


def test_a_non_numeric_id_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "advertiser_shops.csv"
    path.write_text("advertiser_id,shop_id,note\n71,81,a\n71, shop-x ,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"advertiser_shops.csv, line 3"):
        stores_by_advertiser(path)
