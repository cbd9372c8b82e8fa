{#- A TikTok Ads report metric as text: the API sends strings and "-" for "no value", which
    must become null, never zero. -#}
{% macro ads_metric(row_json, name) -%}
    nullif({{ json_text(row_json, '$.metrics.' ~ name) }}, '-')
{%- endmacro %}

{#- The newest fetch of every row of a BASIC report landed raw (`report`: its source table),
    keyed by the report's id dimensions and day: recent days are restated as conversions
    arrive and re-pulled every run. Columns: the id dimensions, stat_date, advertiser_id (the
    advertiser the page was pulled for), fetched_at, request_id, row_json. -#}
{% macro latest_ads_report_rows(report, id_dimensions) -%}
with pages as (
    select shop_id as advertiser_id, fetched_at, request_id, body
    from {{ source('tiktok_ads', report) }}
),

rows as (
    {{ json_array_rows('pages', 'body', '$.data.list', 'row_json', ['advertiser_id', 'fetched_at', 'request_id']) }}
),

keyed as (
    select
        {%- for dimension in id_dimensions if dimension != 'advertiser_id' %}
        {{ json_text('row_json', '$.dimensions.' ~ dimension) }} as {{ dimension }},
        {%- endfor %}
        cast(substr({{ json_text('row_json', '$.dimensions.stat_time_day') }}, 1, 10) as date) as stat_date,
        advertiser_id,
        fetched_at,
        request_id,
        row_json
    from rows
)

{%- set key = (id_dimensions | list) + ['stat_date'] %}
{%- set kept = (id_dimensions | reject('equalto', 'advertiser_id') | list) + ['stat_date', 'advertiser_id', 'fetched_at', 'request_id', 'row_json'] %}
{{ latest_row_per_key('keyed', key, 'fetched_at desc', kept) }}
{%- endmacro %}
