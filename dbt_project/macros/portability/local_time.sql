{#- A timezone-less timestamp holding wall time in an IANA time zone (a column or a literal)
    → a timezone-less timestamp holding the same instant's UTC wall time. DST aware (the
    engine's time-zone database decides the offset of that instant). Dispatched: each engine
    spells time-zone conversion its own way. -#}
{% macro local_to_utc_timestamp(local_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('local_to_utc_timestamp', 'linkstar')(local_timestamp, time_zone)) }}
{%- endmacro %}

{% macro duckdb__local_to_utc_timestamp(local_timestamp, time_zone) -%}
    timezone('UTC', timezone({{ time_zone }}, cast({{ local_timestamp }} as timestamp)))
{%- endmacro %}

{% macro spark__local_to_utc_timestamp(local_timestamp, time_zone) -%}
    to_utc_timestamp(cast({{ local_timestamp }} as timestamp), {{ time_zone }})
{%- endmacro %}

{% macro trino__local_to_utc_timestamp(local_timestamp, time_zone) -%}
    cast(at_timezone(with_timezone(cast({{ local_timestamp }} as timestamp), {{ time_zone }}), 'UTC') as timestamp)
{%- endmacro %}

{% macro default__local_to_utc_timestamp(local_timestamp, time_zone) -%}
    convert_timezone({{ time_zone }}, 'UTC', cast({{ local_timestamp }} as timestamp))
{%- endmacro %}
