{#- How an advertiser-day count (impressions, clicks, purchases, follows) moves to the shop's
    days, written once. Money is split by day_share and rounded per row (int_ads_by_shop_day);
    a count must stay a whole number and the advertiser day's total must not change, so each
    slice gets the rounded cumulative share minus the rounded cumulative share before it:
    round(N · through / D) − round(N · before / D), with D the advertiser day's seconds and
    before / through the seconds of it on earlier shop days / up to the end of this one. The
    last slice's `through` is D, so the slices add up to N exactly. -#}
{% macro apportioned_count(count, seconds_before_slice, overlap_seconds, day_seconds) -%}
    cast(
        round(cast({{ count }} as decimal(38, 6)) * ({{ seconds_before_slice }} + {{ overlap_seconds }}) / {{ day_seconds }}, 0)
        - round(cast({{ count }} as decimal(38, 6)) * {{ seconds_before_slice }} / {{ day_seconds }}, 0)
    as bigint)
{%- endmacro %}
