{#- Unix seconds (UTC) → a timezone-less timestamp that holds UTC wall time. -#}
{% macro epoch_seconds_to_utc(epoch_seconds) -%}
    {{ dbt.dateadd('second', 'cast(' ~ epoch_seconds ~ ' as bigint)', "cast('1970-01-01 00:00:00' as timestamp)") }}
{%- endmacro %}

{#- The calendar day a UTC timestamp falls on in an IANA time zone (a column or a literal).
    Dispatched: each engine spells time-zone conversion its own way. -#}
{% macro utc_to_local_date(utc_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('utc_to_local_date', 'linkstar')(utc_timestamp, time_zone)) }}
{%- endmacro %}

{% macro duckdb__utc_to_local_date(utc_timestamp, time_zone) -%}
    cast(timezone({{ time_zone }}, ({{ utc_timestamp }}) at time zone 'UTC') as date)
{%- endmacro %}

{% macro spark__utc_to_local_date(utc_timestamp, time_zone) -%}
    cast(from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }}) as date)
{%- endmacro %}

{% macro trino__utc_to_local_date(utc_timestamp, time_zone) -%}
    cast(at_timezone(with_timezone({{ utc_timestamp }}, 'UTC'), {{ time_zone }}) as date)
{%- endmacro %}

{% macro default__utc_to_local_date(utc_timestamp, time_zone) -%}
    cast(convert_timezone('UTC', {{ time_zone }}, {{ utc_timestamp }}) as date)
{%- endmacro %}
