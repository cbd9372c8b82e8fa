{#- The hour (0-23) a UTC timestamp falls on in an IANA time zone (a column or a literal).
    Dispatched like utc_to_local_date: each engine spells time-zone conversion its own way. -#}
{% macro utc_to_local_hour(utc_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('utc_to_local_hour', 'linkstar')(utc_timestamp, time_zone)) }}
{%- endmacro %}

{% macro duckdb__utc_to_local_hour(utc_timestamp, time_zone) -%}
    cast(extract(hour from timezone({{ time_zone }}, ({{ utc_timestamp }}) at time zone 'UTC')) as integer)
{%- endmacro %}

{% macro spark__utc_to_local_hour(utc_timestamp, time_zone) -%}
    cast(hour(from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }})) as integer)
{%- endmacro %}

{% macro trino__utc_to_local_hour(utc_timestamp, time_zone) -%}
    cast(hour(at_timezone(with_timezone({{ utc_timestamp }}, 'UTC'), {{ time_zone }})) as integer)
{%- endmacro %}

{% macro default__utc_to_local_hour(utc_timestamp, time_zone) -%}
    cast(extract(hour from convert_timezone('UTC', {{ time_zone }}, {{ utc_timestamp }})) as integer)
{%- endmacro %}
