import pytest

from linkstar_pipeline.defs.tiktok_shop.feeds import ORDERS, RETURNS
from linkstar_pipeline.defs.tiktok_shop.payloads import (
    PageOrigin,
    PayloadError,
    check_required_fields,
    records_in,
)

ORIGIN = PageOrigin(
    endpoint="POST /order/202309/orders/search",
    request_id="req-9",
    shop_id="7001",
    partition_key="2026-11-01",
)


def test_a_missing_required_field_names_the_record_shop_partition_and_request():
    orders = [
        {"id": "1", "status": "PAID", "create_time": 1, "update_time": 2},
        {"id": "2", "status": "PAID", "create_time": 1},
    ]
    with pytest.raises(PayloadError) as error:
        check_required_fields(orders, ORDERS.required_fields, "orders", ORIGIN)
    message = str(error.value)
    for fragment in [
        "data.orders[1]",
        "id=2",
        "update_time",
        "shop_id=7001",
        "partition=2026-11-01",
        "req-9",
    ]:
        assert fragment in message


def test_unknown_new_fields_are_accepted():
    orders = [
        {"id": "1", "status": "X", "create_time": 1, "update_time": 2, "brand_new_field": {"a": 1}}
    ]
    check_required_fields(orders, ORDERS.required_fields, "orders", ORIGIN)


def test_a_list_that_is_not_a_list_is_an_error_and_an_absent_one_is_empty():
    assert records_in({}, "orders", ORIGIN) == []
    with pytest.raises(PayloadError, match="data.orders is dict"):
        records_in({"orders": {"id": "1"}}, "orders", ORIGIN)


def test_a_return_without_its_status_names_the_return_id():
    returns = [{"return_id": "46001", "order_id": "57001", "create_time": 1, "update_time": 2}]
    with pytest.raises(
        PayloadError, match=r"data.return_orders\[0\] \(return_id=46001\).*return_status"
    ):
        check_required_fields(
            returns, RETURNS.required_fields, RETURNS.list_key, ORIGIN, RETURNS.id_field
        )
