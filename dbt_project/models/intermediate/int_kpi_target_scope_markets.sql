{#- The markets each target line's scope covers in a month (promotions are per market):
    market and shop → one market; team and person → the markets of the team's shops; region →
    the region's markets; company → every configured market. -#}

with lines as (
    select target_id, month_start, config_version, scope, scope_id, team_id, market
    from {{ ref('int_kpi_target_lines_monthly') }}
),

markets as (
    select config_version, market, region_id from {{ ref('stg_kpi_config__markets') }}
),

team_markets as (
    select distinct team_shops.config_version, team_shops.team_id, shops.market
    from {{ ref('stg_kpi_config__team_shops') }} as team_shops
    inner join {{ ref('stg_tiktok_shop__shops') }} as shops on team_shops.shop_id = shops.shop_id
),

final as (
    select target_id, month_start, market from lines where market is not null
    union
    select lines.target_id, lines.month_start, team_markets.market
    from lines
    inner join team_markets
        on lines.config_version = team_markets.config_version and lines.team_id = team_markets.team_id
    union
    select lines.target_id, lines.month_start, markets.market
    from lines
    inner join markets
        on lines.config_version = markets.config_version
        and (lines.scope = 'company' or (lines.scope = 'region' and lines.scope_id = markets.region_id))
)

select * from final
