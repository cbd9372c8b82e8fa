{#- One row per authorized TikTok Shop, with the market facts that decide its currency and
    local day, and the team and region the NEWEST KPI configuration version puts it in (null when
    the shop is not configured; the scoring marts use each month's own version instead). -#}

with shops as (
    select * from {{ ref('stg_tiktok_shop__shops') }}
),

markets as (
    select * from {{ ref('markets') }}
),

newest_config as (
    select max(config_version) as config_version from {{ ref('stg_kpi_config__versions') }}
),

configured_shops as (
    select
        team_shops.shop_id,
        team_shops.team_id,
        teams.team_name,
        teams.region_id as team_region_id
    from {{ ref('stg_kpi_config__team_shops') }} as team_shops
    inner join newest_config on team_shops.config_version = newest_config.config_version
    left join {{ ref('stg_kpi_config__teams') }} as teams
        on team_shops.config_version = teams.config_version
        and team_shops.team_id = teams.team_id
),

configured_markets as (
    select config_markets.market, config_markets.region_id
    from {{ ref('stg_kpi_config__markets') }} as config_markets
    inner join newest_config on config_markets.config_version = newest_config.config_version
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
        markets.time_zone,
        configured_shops.team_id,
        configured_shops.team_name,
        coalesce(configured_markets.region_id, configured_shops.team_region_id) as region_id
    from shops
    left join markets on shops.market = markets.market
    left join configured_shops on shops.shop_id = configured_shops.shop_id
    left join configured_markets on shops.market = configured_markets.market
)

select * from final
