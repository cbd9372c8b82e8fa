{#- Everyone and everything scored, one row per subject × shop-local day from `scoring_start` to
    the newest data day, under the day's month configuration version (int_kpi_scoring_versions,
    via int_kpi_org_shop_days): persons on the days of their assignments (a person who moves
    team mid-month has days on each team), teams over their active dates, and the shops,
    markets and regions of the configured shops. maturity_tier: a person's and a team's is the
    team's, a shop's and a market's is the market's, a region has none. -#}

with org_days as (
    select * from {{ ref('int_kpi_org_shop_days') }}
),

days as (
    select distinct local_date, config_version from org_days
),

teams as (
    select * from {{ ref('stg_kpi_config__teams') }}
),

persons as (
    select
        'person' as subject_kind,
        assignments.person_id as subject_id,
        assignments.team_id,
        assignments.role,
        days.local_date,
        days.config_version,
        teams.maturity_tier,
        teams.region_id
    from days
    inner join {{ ref('stg_kpi_config__assignments') }} as assignments
        on days.config_version = assignments.config_version
        and days.local_date >= assignments.valid_from
        and (assignments.valid_to is null or days.local_date <= assignments.valid_to)
    left join teams
        on assignments.config_version = teams.config_version
        and assignments.team_id = teams.team_id
),

team_subjects as (
    select
        'team' as subject_kind,
        teams.team_id as subject_id,
        teams.team_id,
        cast(null as {{ dbt.type_string() }}) as role,
        days.local_date,
        days.config_version,
        teams.maturity_tier,
        teams.region_id
    from days
    inner join teams
        on days.config_version = teams.config_version
        and days.local_date >= teams.started_on
        and (teams.ended_on is null or days.local_date <= teams.ended_on)
),

shop_subjects as (
    select
        'shop' as subject_kind,
        shop_id as subject_id,
        cast(null as {{ dbt.type_string() }}) as team_id,
        cast(null as {{ dbt.type_string() }}) as role,
        local_date,
        config_version,
        maturity_tier,
        region_id
    from org_days
),

market_subjects as (
    select distinct
        'market' as subject_kind,
        market as subject_id,
        cast(null as {{ dbt.type_string() }}) as team_id,
        cast(null as {{ dbt.type_string() }}) as role,
        local_date,
        config_version,
        maturity_tier,
        region_id
    from org_days
    where market is not null
),

region_subjects as (
    select distinct
        'region' as subject_kind,
        region_id as subject_id,
        cast(null as {{ dbt.type_string() }}) as team_id,
        cast(null as {{ dbt.type_string() }}) as role,
        local_date,
        config_version,
        cast(null as {{ dbt.type_string() }}) as maturity_tier,
        region_id
    from org_days
    where region_id is not null
),

subjects as (
    select * from persons
    union all
    select * from team_subjects
    union all
    select * from shop_subjects
    union all
    select * from market_subjects
    union all
    select * from region_subjects
),

final as (
    select
        subject_kind,
        subject_id,
        team_id,
        role,
        local_date,
        cast({{ dbt.date_trunc('month', 'local_date') }} as date) as month_start,
        config_version,
        maturity_tier,
        region_id
    from subjects
)

select * from final
