{#- The KPIs each subject is scored on, day by day, with their weights: the KPI-set version in
    force that day under the day's configuration version (persons by role; units by kind, a set
    naming the unit itself beats a '*' set of its kind), its weights replaced — only on the days
    inside its dates — by a weight override for that subject (`override_id`). `scope_id` is what
    the KPI is measured on for this subject: person → the person; team → the person's team that
    day (a team: itself; a shop: its team); shop → the shop; market → the shop's market or the
    market itself; region → the subject's region; company → 'ALL'. Null when the scope does not
    apply to the subject (e.g. a person-scope KPI in a team's set). -#}

with subject_days as (
    select * from {{ ref('int_kpi_subject_days') }}
),

shop_days as (
    select shop_id, local_date, team_id, market from {{ ref('int_kpi_org_shop_days') }}
),

sets as (
    select * from {{ ref('stg_kpi_config__kpi_sets') }}
),

set_versions as (
    select distinct config_version, set_id, subject_kind, subject, valid_from, valid_to
    from sets
),

matching_sets as (
    select
        subject_days.subject_kind,
        subject_days.subject_id,
        subject_days.local_date,
        set_versions.config_version,
        set_versions.set_id,
        set_versions.valid_from,
        row_number() over (
            partition by subject_days.subject_kind, subject_days.subject_id, subject_days.local_date
            order by case when set_versions.subject = '*' then 1 else 0 end, set_versions.set_id
        ) as preference
    from subject_days
    inner join set_versions
        on subject_days.config_version = set_versions.config_version
        and subject_days.local_date >= set_versions.valid_from
        and (set_versions.valid_to is null or subject_days.local_date <= set_versions.valid_to)
        and {{ applies_to_subject('set_versions', 'subject_days') }}
),

weight_overrides as (
    select * from {{ ref('stg_kpi_config__overrides') }}
    where kind = 'weight'
),

override_versions as (
    select distinct config_version, override_id, subject_kind, subject, date_from, date_to
    from weight_overrides
),

matching_overrides as (
    select
        subject_days.subject_kind,
        subject_days.subject_id,
        subject_days.local_date,
        override_versions.config_version,
        override_versions.override_id,
        row_number() over (
            partition by subject_days.subject_kind, subject_days.subject_id, subject_days.local_date
            order by case when override_versions.subject = '*' then 1 else 0 end, override_versions.override_id
        ) as preference
    from subject_days
    inner join override_versions
        on subject_days.config_version = override_versions.config_version
        and subject_days.local_date >= override_versions.date_from
        and subject_days.local_date <= override_versions.date_to
        and {{ applies_to_subject('override_versions', 'subject_days') }}
),

weighted as (
    select
        subject_days.subject_kind,
        subject_days.subject_id,
        subject_days.team_id,
        subject_days.region_id,
        subject_days.local_date,
        subject_days.config_version,
        sets.set_id,
        sets.kpi,
        coalesce(weight_overrides.weight, sets.weight) as weight,
        sets.direction,
        sets.cap_pct,
        sets.floor_pct,
        sets.scope,
        weight_overrides.override_id,
        shop_days.team_id as shop_team_id,
        shop_days.market as shop_market
    from subject_days
    inner join matching_sets
        on subject_days.subject_kind = matching_sets.subject_kind
        and subject_days.subject_id = matching_sets.subject_id
        and subject_days.local_date = matching_sets.local_date
        and matching_sets.preference = 1
    inner join sets
        on matching_sets.config_version = sets.config_version
        and matching_sets.set_id = sets.set_id
        and matching_sets.valid_from = sets.valid_from
    left join matching_overrides
        on subject_days.subject_kind = matching_overrides.subject_kind
        and subject_days.subject_id = matching_overrides.subject_id
        and subject_days.local_date = matching_overrides.local_date
        and matching_overrides.preference = 1
    left join weight_overrides
        on matching_overrides.config_version = weight_overrides.config_version
        and matching_overrides.override_id = weight_overrides.override_id
        and sets.kpi = weight_overrides.kpi
    left join shop_days
        on subject_days.subject_kind = 'shop'
        and subject_days.subject_id = shop_days.shop_id
        and subject_days.local_date = shop_days.local_date
),

final as (
    select
        subject_kind,
        subject_id,
        team_id,
        local_date,
        config_version,
        set_id,
        kpi,
        weight,
        direction,
        cap_pct,
        floor_pct,
        scope,
        case scope
            when 'company' then 'ALL'
            when 'person' then case when subject_kind = 'person' then subject_id end
            when 'team' then case subject_kind
                when 'person' then team_id
                when 'team' then subject_id
                when 'shop' then shop_team_id
            end
            when 'shop' then case when subject_kind = 'shop' then subject_id end
            when 'market' then case subject_kind
                when 'shop' then shop_market
                when 'market' then subject_id
            end
            when 'region' then region_id
        end as scope_id,
        override_id
    from weighted
)

select * from final
