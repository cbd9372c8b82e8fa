{#- Slowly changing history (type 2) of the KPI configuration: for every configuration table
    (except versions) one row per natural key and change — `added` in the version where the key
    first appears (or reappears), `changed` where its other columns differ from the previous
    version, `removed` in the version where it disappears (attributes = what was removed). A row
    is valid from `valid_from_version` until the version that superseded it (`valid_to_version`,
    exclusive; null for the key's latest row). Plus one row per version (entity 'version') with
    its change summary. Every landed version stays in staging, so any month can be re-scored. -#}

{%- set entities = [
    ('settings', [], ['baseline_weeks', 'scorecard_close_days', 'scoring_start', 'incentive_currency']),
    ('maturity_tiers', ['tier'], ['target_factor']),
    ('regions', ['region_id'], ['region_name']),
    ('markets', ['market'], ['region_id', 'maturity_tier']),
    ('teams', ['team_id'], ['team_name', 'region_id', 'maturity_tier', 'started_on', 'ended_on']),
    ('team_shops', ['shop_id'], ['team_id', 'shop_name']),
    ('people', ['person_id'], ['person_name']),
    ('assignments', ['person_id', 'valid_from'], ['team_id', 'role', 'valid_to']),
    ('identities', ['identity_kind', 'shop_id', 'identity_key'], ['person_id']),
    ('kpi_sets', ['set_id', 'valid_from', 'kpi'],
        ['subject_kind', 'subject', 'valid_to', 'weight', 'direction', 'cap_pct', 'floor_pct', 'scope']),
    ('targets', ['target_id'], ['scope', 'scope_id', 'kpi', 'month_from', 'month_to', 'target_value', 'currency']),
    ('transitions', ['scope', 'scope_id', 'month_index'], ['start_month', 'factor']),
    ('promotions', ['promotion_id', 'market'], ['promotion_name', 'date_from', 'date_to', 'day_weight']),
    ('overrides', ['override_id', 'kpi'],
        ['kind', 'date_from', 'date_to', 'subject_kind', 'subject', 'scope', 'scope_id', 'weight',
         'target_factor', 'reason', 'approved_by']),
    ('incentive_tiers', ['role', 'min_score'], ['bonus_amount', 'currency']),
] -%}

with versions as (
    select config_version, loaded_at, config_sha256, git_commit, changes
    from {{ ref('stg_kpi_config__versions') }}
),

config_rows as (
    {% for entity, keys, attributes in entities %}
    select
        '{{ entity }}' as entity,
        {% if keys -%}
        {%- set key_parts = [] -%}
        {%- for key in keys -%}
            {%- if not loop.first %}{% do key_parts.append("'|'") %}{% endif -%}
            {%- do key_parts.append(kpi_config_text(key)) -%}
        {%- endfor -%}
        {{ dbt.concat(key_parts) }}
        {%- else -%}
        '{{ entity }}'
        {%- endif %} as entity_key,
        {{ kpi_config_canonical(attributes) }} as attributes,
        config_version
    from {{ ref('stg_kpi_config__' ~ entity) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

first_seen as (
    select entity, entity_key, min(config_version) as first_version
    from config_rows
    group by entity, entity_key
),

key_versions as (
    select
        first_seen.entity,
        first_seen.entity_key,
        versions.config_version,
        config_rows.attributes,
        case when config_rows.entity is not null then 1 else 0 end as is_present
    from first_seen
    inner join versions on versions.config_version >= first_seen.first_version
    left join config_rows
        on first_seen.entity = config_rows.entity
        and first_seen.entity_key = config_rows.entity_key
        and versions.config_version = config_rows.config_version
),

compared as (
    select
        key_versions.*,
        lag(is_present) over (partition by entity, entity_key order by config_version) as was_present,
        lag(attributes) over (partition by entity, entity_key order by config_version) as previous_attributes
    from key_versions
),

changes as (
    select
        entity,
        entity_key,
        config_version,
        case
            when is_present = 1 and coalesce(was_present, 0) = 0 then 'added'
            when is_present = 1 and attributes <> previous_attributes then 'changed'
            when is_present = 0 and was_present = 1 then 'removed'
        end as change_type,
        case when is_present = 1 then attributes else previous_attributes end as attributes
    from compared
),

config_history as (
    select
        entity,
        entity_key,
        attributes,
        config_version as valid_from_version,
        lead(config_version) over (partition by entity, entity_key order by config_version) as valid_to_version,
        change_type
    from changes
    where change_type is not null
),

change_counts as (
    select
        valid_from_version as config_version,
        sum(case when change_type = 'added' then 1 else 0 end) as added,
        sum(case when change_type = 'changed' then 1 else 0 end) as changed,
        sum(case when change_type = 'removed' then 1 else 0 end) as removed
    from config_history
    group by valid_from_version
),

version_history as (
    select
        'version' as entity,
        cast(versions.config_version as {{ dbt.type_string() }}) as entity_key,
        {{ dbt.concat([
            "'changes='", "coalesce(versions.changes, 'null')",
            "'; config_sha256='", "coalesce(versions.config_sha256, 'null')",
            "'; git_commit='", "coalesce(versions.git_commit, 'null')",
            "'; rows_added='", "cast(coalesce(change_counts.added, 0) as " ~ dbt.type_string() ~ ")",
            "'; rows_changed='", "cast(coalesce(change_counts.changed, 0) as " ~ dbt.type_string() ~ ")",
            "'; rows_removed='", "cast(coalesce(change_counts.removed, 0) as " ~ dbt.type_string() ~ ")",
        ]) }} as attributes,
        versions.config_version as valid_from_version,
        lead(versions.config_version) over (order by versions.config_version) as valid_to_version,
        'added' as change_type
    from versions
    left join change_counts on versions.config_version = change_counts.config_version
),

history as (
    select * from config_history
    union all
    select * from version_history
),

final as (
    select
        history.entity,
        history.entity_key,
        history.attributes,
        cast(history.valid_from_version as integer) as valid_from_version,
        cast(history.valid_to_version as integer) as valid_to_version,
        valid_from.loaded_at as valid_from_loaded_at_utc,
        valid_to.loaded_at as valid_to_loaded_at_utc,
        history.change_type,
        (history.valid_to_version is null and history.change_type <> 'removed') as is_current
    from history
    inner join versions as valid_from on history.valid_from_version = valid_from.config_version
    left join versions as valid_to on history.valid_to_version = valid_to.config_version
)

select * from final
