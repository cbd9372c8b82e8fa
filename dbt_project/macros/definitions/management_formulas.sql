{#- KPI-management formulas written once: achievement against a target, caps and floors,
    weighted contributions. Used by kpi_achievement, kpi_scorecards and kpi_incentives. Every
    division goes through safe_ratio (exact decimal, rounded once, half away from zero). -#}

{#- Achievement in percent before caps: higher-is-better actual ÷ target × 100; lower-is-better
    target ÷ actual × 100 (an actual of 0 beats any target: it scores the cap); no target or a
    target of 0 → null (nothing to achieve against); no actual → null. -#}
{% macro achievement_pct(actual, target, direction, cap_pct=none) -%}
    cast(case
        when {{ target }} is null or {{ target }} = 0 or {{ actual }} is null then null
        when {{ direction }} = 'lower' then
            case
                when {{ actual }} = 0 then {{ cap_pct if cap_pct is not none else 'null' }}
                else {{ safe_ratio('(' ~ target ~ ') * 100', actual, 4) }}
            end
        else {{ safe_ratio('(' ~ actual ~ ') * 100', target, 4) }}
    end as decimal(18, 4))
{%- endmacro %}

{#- A percentage clamped to [floor_pct, cap_pct] (null stays null; a null bound does not clamp). -#}
{% macro capped(pct, floor_pct, cap_pct) -%}
    cast(case
        when {{ pct }} is null then null
        when {{ cap_pct }} is not null and {{ pct }} > {{ cap_pct }} then {{ cap_pct }}
        when {{ floor_pct }} is not null and {{ pct }} < {{ floor_pct }} then {{ floor_pct }}
        else {{ pct }}
    end as decimal(18, 4))
{%- endmacro %}

{#- A KPI's points in a weighted score: its weight renormalised over the weights of the KPIs
    that have an achievement (covered_weight), times the achievement: weight ÷ covered_weight ×
    achievement_pct. The points of a subject-month sum to its score (0–cap). -#}
{% macro weighted_contribution(weight, covered_weight, achievement_pct) -%}
    cast({{ safe_ratio('(' ~ weight ~ ') * (' ~ achievement_pct ~ ')', covered_weight, 4) }} as decimal(18, 4))
{%- endmacro %}

{#- Whether a KPI-set or override row (`subject_kind`, `subject`) applies to a scored subject-day
    (`subject_kind`, `subject_id`, `role`): people through their role, units by kind — by their
    own id or '*' for every unit of the kind. -#}
{% macro applies_to_subject(config_row, subject_day) -%}
    (
        ({{ subject_day }}.subject_kind = 'person'
            and {{ config_row }}.subject_kind = 'role'
            and {{ config_row }}.subject = {{ subject_day }}.role)
        or ({{ subject_day }}.subject_kind <> 'person'
            and {{ config_row }}.subject_kind = {{ subject_day }}.subject_kind
            and {{ config_row }}.subject in ({{ subject_day }}.subject_id, '*'))
    )
{%- endmacro %}
