{#- The platform's own view of a shop per shop-local day, newest fetch wins (days restate). -#}

with raw_pages as (
    select shop_id, request_id, fetched_at, body
    from {{ source('tiktok_shop_content', 'shop_performance_daily') }}
),

intervals as (
    {{ json_array_rows('raw_pages', 'body', '$.data.performance.intervals', 'interval_json',
                       ['shop_id', 'request_id', 'fetched_at']) }}
),

typed as (
    select
        shop_id,
        cast({{ json_text('interval_json', '$.start_date') }} as date) as performance_date,
        {{ json_text('interval_json', '$.gmv.currency') }} as currency,
        {{ to_money(json_text('interval_json', '$.gmv.amount')) }} as gmv_amount,
        cast({{ json_text('interval_json', '$.orders') }} as integer) as orders,
        cast({{ json_text('interval_json', '$.buyers') }} as integer) as buyers,
        cast({{ json_text('interval_json', '$.units_sold') }} as integer) as units_sold,
        cast({{ json_text('interval_json', '$.product_impressions') }} as bigint) as product_impressions,
        cast({{ json_text('interval_json', '$.product_page_views') }} as bigint) as product_page_views,
        cast({{ json_text('interval_json', '$.visitors') }} as bigint) as visitors,
        cast({{ json_text('interval_json', '$.add_to_cart_count') }} as bigint) as add_to_cart_count,
        cast({{ json_text('interval_json', '$.conversion_rate') }} as decimal(9, 4)) as conversion_rate,
        fetched_at as loaded_at_utc,
        request_id as loaded_from_request_id
    from intervals
),

latest as (
    {{ latest_row_per_key('typed', ['shop_id', 'performance_date'], 'loaded_at_utc desc',
        ['shop_id', 'performance_date', 'currency', 'gmv_amount', 'orders', 'buyers', 'units_sold',
         'product_impressions', 'product_page_views', 'visitors', 'add_to_cart_count',
         'conversion_rate', 'loaded_at_utc', 'loaded_from_request_id']) }}
)

select
    {{ dbt.concat(['shop_id', "'|'", 'cast(performance_date as ' ~ dbt.type_string() ~ ')']) }}
        as shop_performance_day_id,
    *
from latest
