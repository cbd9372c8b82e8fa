{#- Every target line in force in every scored month, under the month's config version
    (int_kpi_scoring_versions): the stated (mature) target, the maturity factor, the transition
    factor and the effective monthly target = round(stated × maturity × transition, 2).
    Maturity tier: market and shop → the market's tier; team → the team's tier; person → their
    team's tier (the assignment on the month's first scored day, else their first assignment
    starting in the month); region and company → factor 1. Transition: a market's or team's
    own ramp; a shop follows its market; a team without its own ramp follows its market's when
    all its shops are in that one market; a person follows their team; month_index = months
    since start_month (before the start: the first step; after the ramp: 1). -#}

with versions as (
    select month_start, config_version from {{ ref('int_kpi_scoring_versions') }}
),

first_scored as (
    select min(scoring_start) as scoring_start from {{ ref('stg_kpi_config__settings') }}
),

targets as (
    select * from {{ ref('stg_kpi_config__targets') }}
),

catalog as (
    select kpi, scope, aggregation, is_money from {{ ref('kpi_scoring_catalog') }}
),

tiers as (
    select config_version, tier, target_factor from {{ ref('stg_kpi_config__maturity_tiers') }}
),

markets as (
    select config_version, market, maturity_tier from {{ ref('stg_kpi_config__markets') }}
),

teams as (
    select config_version, team_id, maturity_tier from {{ ref('stg_kpi_config__teams') }}
),

shops as (
    select shop_id, market from {{ ref('stg_tiktok_shop__shops') }}
),

team_markets as (
    select team_shops.config_version, team_shops.team_id, min(shops.market) as market, count(distinct shops.market) as markets
    from {{ ref('stg_kpi_config__team_shops') }} as team_shops
    inner join shops on team_shops.shop_id = shops.shop_id
    group by team_shops.config_version, team_shops.team_id
),

transitions as (
    select config_version, scope, scope_id, start_month, month_index, factor
    from {{ ref('stg_kpi_config__transitions') }}
),

-- The ramp each team follows: its own, else its single market's.
team_transitions as (
    select config_version, scope_id as team_id, start_month, month_index, factor
    from transitions
    where scope = 'team'
    union all
    select transitions.config_version, team_markets.team_id, transitions.start_month, transitions.month_index, transitions.factor
    from team_markets
    inner join transitions
        on team_markets.config_version = transitions.config_version
        and transitions.scope = 'market'
        and transitions.scope_id = team_markets.market
    where team_markets.markets = 1
      and not exists (
          select 1 from transitions as own
          where own.config_version = team_markets.config_version
            and own.scope = 'team'
            and own.scope_id = team_markets.team_id
      )
),

-- Every ramp keyed by the subject a target scope resolves to ('market' or 'team').
ramps as (
    select config_version, 'market' as ramp_kind, scope_id as ramp_id, start_month, month_index, factor
    from transitions
    where scope = 'market'
    union all
    select config_version, 'team', team_id, start_month, month_index, factor
    from team_transitions
),

lines as (
    select
        targets.target_id,
        targets.scope,
        targets.scope_id,
        targets.kpi,
        versions.month_start,
        versions.config_version,
        targets.month_from,
        targets.currency as target_currency,
        targets.target_value as monthly_target_stated,
        case
            when first_scored.scoring_start > versions.month_start then first_scored.scoring_start
            else versions.month_start
        end as first_scored_day
    from versions
    cross join first_scored
    inner join targets
        on versions.config_version = targets.config_version
        and targets.month_from <= versions.month_start
        and (targets.month_to is null or targets.month_to >= versions.month_start)
),

person_teams as (
    select
        lines.target_id,
        lines.month_start,
        assignments.team_id,
        row_number() over (
            partition by lines.target_id, lines.month_start
            order by case when assignments.valid_from <= lines.first_scored_day then 0 else 1 end, assignments.valid_from
        ) as pick
    from lines
    inner join {{ ref('stg_kpi_config__assignments') }} as assignments
        on lines.scope = 'person'
        and lines.config_version = assignments.config_version
        and lines.scope_id = assignments.person_id
        and assignments.valid_from <= {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'lines.month_start')) }}
        and (assignments.valid_to is null or assignments.valid_to >= lines.first_scored_day)
),

resolved as (
    select
        lines.*,
        case
            when lines.scope = 'team' then lines.scope_id
            when lines.scope = 'person' then person_teams.team_id
        end as team_id,
        case
            when lines.scope = 'market' then lines.scope_id
            when lines.scope = 'shop' then shops.market
        end as market
    from lines
    left join person_teams
        on lines.target_id = person_teams.target_id
        and lines.month_start = person_teams.month_start
        and person_teams.pick = 1
    left join shops on lines.scope = 'shop' and lines.scope_id = shops.shop_id
),

factored as (
    select
        resolved.*,
        case
            when resolved.scope in ('region', 'company') then cast(1 as decimal(18, 4))
            when resolved.team_id is not null then team_tiers.target_factor
            else market_tiers.target_factor
        end as maturity_factor,
        ramps.start_month as transition_start_month,
        ramps.month_index as ramp_last_index
    from resolved
    left join teams
        on resolved.config_version = teams.config_version and resolved.team_id = teams.team_id
    left join tiers as team_tiers
        on teams.config_version = team_tiers.config_version and teams.maturity_tier = team_tiers.tier
    left join markets
        on resolved.config_version = markets.config_version and resolved.market = markets.market
    left join tiers as market_tiers
        on markets.config_version = market_tiers.config_version and markets.maturity_tier = market_tiers.tier
    left join (
        select config_version, ramp_kind, ramp_id, min(start_month) as start_month, max(month_index) as month_index
        from ramps
        group by config_version, ramp_kind, ramp_id
    ) as ramps
        on resolved.config_version = ramps.config_version
        and (
            (resolved.team_id is not null and ramps.ramp_kind = 'team' and ramps.ramp_id = resolved.team_id)
            or (resolved.market is not null and ramps.ramp_kind = 'market' and ramps.ramp_id = resolved.market)
        )
),

with_index as (
    select
        factored.*,
        case
            when factored.transition_start_month is null then null
            when {{ dbt.datediff('factored.transition_start_month', 'factored.month_start', 'month') }} < 0 then 0
            else {{ dbt.datediff('factored.transition_start_month', 'factored.month_start', 'month') }}
        end as transition_month_index
    from factored
),

final as (
    select
        with_index.target_id,
        with_index.scope,
        cast(with_index.scope_id as varchar) as scope_id,
        with_index.kpi,
        cast(with_index.month_start as date) as month_start,
        with_index.config_version,
        cast(with_index.month_from as date) as month_from,
        catalog.aggregation,
        catalog.is_money,
        with_index.target_currency,
        with_index.team_id,
        with_index.market,
        cast(with_index.monthly_target_stated as decimal(38, 4)) as monthly_target_stated,
        cast(coalesce(with_index.maturity_factor, 1) as decimal(18, 4)) as maturity_factor,
        with_index.transition_month_index,
        cast(coalesce(ramp_step.factor, 1) as decimal(18, 4)) as transition_factor,
        cast(round(
            with_index.monthly_target_stated * coalesce(with_index.maturity_factor, 1) * coalesce(ramp_step.factor, 1), 2
        ) as decimal(38, 2)) as monthly_target_effective
    from with_index
    left join catalog on with_index.kpi = catalog.kpi and with_index.scope = catalog.scope
    left join ramps as ramp_step
        on with_index.config_version = ramp_step.config_version
        and ramp_step.ramp_kind = case when with_index.team_id is not null then 'team' else 'market' end
        and ramp_step.ramp_id = coalesce(with_index.team_id, with_index.market)
        and ramp_step.month_index = with_index.transition_month_index
)

select * from final
