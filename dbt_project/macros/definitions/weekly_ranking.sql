{#- Weekly hit rankings (kpi_top_content for videos, kpi_top_creatives for ads creatives), written
    once so both rank and flag the same way. -#}

{#- Rank within the week, best (highest) first; ties share a rank; null values rank last. -#}
{% macro rank_in_week(value, week_start) -%}
    rank() over (
        partition by {{ week_start }}
        order by case when {{ value }} is null then 1 else 0 end, {{ value }} desc
    )
{%- endmacro %}

{#- ISO year and week number of a week that starts on Monday `week_start` (the ISO year is the
    year of the week's Thursday). -#}
{% macro iso_year_of_week(week_start) -%}
    cast(extract(year from {{ dbt.dateadd('day', 3, week_start) }}) as integer)
{%- endmacro %}

{% macro iso_week_of_week(week_start) -%}
    cast(extract(week from {{ week_start }}) as integer)
{%- endmacro %}

{#- Top decile: rank within the first tenth, rounded up, of the week's entries, and a value
    above zero (a week where nothing sold has no hits). -#}
{% macro is_top_decile(gmv_rank, entries_in_week, gmv) -%}
    coalesce({{ gmv }} > 0 and {{ gmv_rank }} <= ceiling({{ entries_in_week }} / 10.0), false)
{%- endmacro %}
