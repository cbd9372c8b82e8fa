{#- What an after-sales record's status means, decided once for returns and cancellations:
    its stage and whether the money went back to the buyer come from the
    `after_sales_status_mapping` seed; a refund is paid, and dated, by the status change that
    made it refunded (the record's update time), and every day is the shop's local day.
    `record` is the staged return or cancellation, `mapping` the joined seed row (null for
    a status the seed does not know: not refunded, not closed, shown by a warn test). -#}
{% macro after_sales_state_columns(record, mapping, time_zone) -%}
    {{ mapping }}.after_sales_stage,
    coalesce({{ mapping }}.is_refunded, false) as is_refunded,
    coalesce({{ mapping }}.is_closed, false) as is_closed,
    {{ record }}.requested_at_utc,
    case when {{ mapping }}.is_refunded then {{ record }}.updated_at_utc end as refunded_at_utc,
    {{ utc_to_local_date(record ~ '.requested_at_utc', time_zone) }} as requested_local_date,
    case
        when {{ mapping }}.is_refunded
            then {{ utc_to_local_date(record ~ '.updated_at_utc', time_zone) }}
    end as refunded_local_date
{%- endmacro %}
