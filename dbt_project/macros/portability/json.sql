{#- Reading raw API payloads. Raw pages are kept as the exact response text; staging parses
    them with these macros so that an engine change touches only this file. -#}

{#- A scalar at a JSONPath, as text (null when absent). -#}
{% macro json_text(json_column, path) -%}
    {{ return(adapter.dispatch('json_text', 'linkstar')(json_column, path)) }}
{%- endmacro %}

{% macro duckdb__json_text(json_column, path) -%}
    json_extract_string({{ json_column }}, '{{ path }}')
{%- endmacro %}

{% macro default__json_text(json_column, path) -%}
    get_json_object({{ json_column }}, '{{ path }}')
{%- endmacro %}

{#- Number of elements of the JSON array at a path (0 when absent). -#}
{% macro json_array_length(json_column, path) -%}
    {{ return(adapter.dispatch('json_array_length', 'linkstar')(json_column, path)) }}
{%- endmacro %}

{% macro duckdb__json_array_length(json_column, path) -%}
    coalesce(json_array_length({{ json_column }}, '{{ path }}'), 0)
{%- endmacro %}

{#- One row per element of the JSON array at `path` of `json_column`, as column `alias`,
    alongside `carried_columns`. -#}
{% macro json_array_rows(relation, json_column, path, alias, carried_columns) -%}
    {{ return(adapter.dispatch('json_array_rows', 'linkstar')(relation, json_column, path, alias, carried_columns)) }}
{%- endmacro %}

{% macro duckdb__json_array_rows(relation, json_column, path, alias, carried_columns) -%}
    select
        {% for column in carried_columns %}{{ column }},{% endfor %}
        unnest(json_extract({{ json_column }}, '{{ path }}[*]')) as {{ alias }}
    from {{ relation }}
{%- endmacro %}

{% macro spark__json_array_rows(relation, json_column, path, alias, carried_columns) -%}
    select
        {% for column in carried_columns %}{{ column }},{% endfor %}
        explode(from_json(get_json_object({{ json_column }}, '{{ path }}'), 'array<string>')) as {{ alias }}
    from {{ relation }}
{%- endmacro %}
