{#- Which team, market, region and maturity tier each configured shop belongs to on each
    shop-local day, under the configuration version its month is scored with. The one place
    team, market, region and company scopes get their shops from. `team_id` is null on days
    the shop's team has not started yet or has ended (the shop still counts for its market). -#}

with scoring_versions as (
    select * from {{ ref('int_kpi_scoring_versions') }}
),

days as (
    select
        cast(calendar.date_day as date) as local_date,
        scoring_versions.config_version
    from {{ ref('int_calendar_days') }} as calendar
    inner join scoring_versions
        on {{ dbt.date_trunc('month', 'calendar.date_day') }} = scoring_versions.month_start
    -- Scored days: from scoring_start and the first loaded day (the day kpi_shop_daily starts
    -- too) to the newest order day (macro is_scored_day).
    where {{ is_scored_day('calendar.date_day') }}
),

shops as (
    select shop_id, market from {{ ref('stg_tiktok_shop__shops') }}
),

final as (
    select
        days.local_date,
        team_shops.shop_id,
        days.config_version,
        teams.team_id,
        shops.market,
        markets.region_id,
        markets.maturity_tier
    from days
    inner join {{ ref('stg_kpi_config__team_shops') }} as team_shops
        on days.config_version = team_shops.config_version
    left join {{ ref('stg_kpi_config__teams') }} as teams
        on team_shops.config_version = teams.config_version
        and team_shops.team_id = teams.team_id
        and days.local_date >= teams.started_on
        and (teams.ended_on is null or days.local_date <= teams.ended_on)
    inner join shops on team_shops.shop_id = shops.shop_id
    left join {{ ref('stg_kpi_config__markets') }} as markets
        on days.config_version = markets.config_version
        and shops.market = markets.market
)

select * from final
