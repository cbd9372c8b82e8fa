"""The paging checks every client shares (connectors/paging.py), on hand-made pages."""

from __future__ import annotations

from connectors.paging import PageWalk, max_pages


def test_a_page_promising_records_without_its_list_is_a_problem():
    walk = PageWalk(page_size=100)
    problem = walk.list_problem({"total_count": 175}, "orders", total=175, more=False)
    assert problem == (
        "no `orders` list although the reported total is 175 and 0 arrived before this page"
    )
    assert "a null `orders`" in walk.list_problem({"orders": None}, "orders", total=None, more=True)
    assert "JSON object, not a list" in walk.list_problem(
        {"orders": {}}, "orders", total=0, more=False
    )


def test_an_empty_result_reporting_a_total_of_zero_may_leave_its_list_out():
    data = {"total_count": 0, "next_page_token": ""}
    assert PageWalk(page_size=100).list_problem(data, "orders", total=0, more=False) == ""


def test_a_first_and_only_page_reporting_no_total_owes_its_list():
    """Nothing tells an empty result from one whose list went missing: refused, so a shop or
    conversation whose records fit on one page is never landed as none."""
    walk = PageWalk(page_size=100)
    problem = walk.list_problem({"next_page_token": ""}, "orders", total=None, more=False)
    assert problem == "no `orders` list although no total says the result is empty"
    assert (
        walk.list_problem({"orders": [], "next_page_token": ""}, "orders", total=None, more=False)
        == ""
    )


def test_a_later_page_short_of_an_earlier_pages_total_owes_its_list():
    walk = PageWalk(page_size=2)
    assert walk.take([{"id": 1}, {"id": 2}], total=3, more=True) == ""
    problem = walk.list_problem({}, "orders", total=None, more=False)
    assert (
        problem
        == "no `orders` list although the reported total is 3 and 2 arrived before this page"
    )


def test_an_empty_last_page_after_the_total_arrived_may_leave_its_list_out():
    walk = PageWalk(page_size=2)
    assert walk.take([{"id": 1}, {"id": 2}], total=2, more=True) == ""
    assert walk.list_problem({}, "orders", total=2, more=False) == ""


def test_a_page_bringing_only_records_already_seen_stops_the_walk():
    walk = PageWalk(page_size=2)
    assert walk.take([{"id": 1}, {"id": 2}], total=4, more=True) == ""
    assert "page 2 brought no record not already seen" in walk.take(
        [{"id": 2}, {"id": 1}], total=4, more=True
    )


def test_a_record_updated_mid_walk_is_new_content_not_a_repeat():
    walk = PageWalk(page_size=1)
    assert walk.take([{"id": 1, "update_time": 10}], total=2, more=True) == ""
    assert walk.take([{"id": 1, "update_time": 11}], total=2, more=True) == ""


def test_more_pages_than_the_total_allows_with_a_margin_stop_the_walk():
    walk = PageWalk(page_size=10)
    limit = max_pages(25, 10)
    assert limit == 5  # 3 pages needed, plus 2
    problems = [walk.take([{"id": n}], total=25, more=True) for n in range(limit)]
    assert problems[:-1] == [""] * (limit - 1)
    assert "5 pages of up to 10 records" in problems[-1]
    assert PageWalk(page_size=10).take([{"id": 1}], total=25, more=False) == ""
