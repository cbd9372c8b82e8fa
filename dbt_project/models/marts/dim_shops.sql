{#- One row per authorized TikTok Shop, with the market facts that decide its currency and
    local day. -#}

with shops as (
    select * from {{ ref('stg_tiktok_shop__shops') }}
),

markets as (
    select * from {{ ref('markets') }}
),

final as (
    select
        shops.shop_id,
        shops.shop_name,
        shops.shop_code,
        shops.seller_type,
        shops.market,
        markets.market_name,
        markets.region,
        markets.currency,
        markets.time_zone
    from shops
    left join markets on shops.market = markets.market
)

select * from final
