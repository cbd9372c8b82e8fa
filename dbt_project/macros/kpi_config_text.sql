{#- Text forms of KPI-configuration rows for kpi_config_history: one way to spell a key and the
    other columns, so two versions of a row compare equal exactly when nothing changed. -#}

{#- A column as text for a natural key ('' for null). -#}
{% macro kpi_config_text(column) -%}
    coalesce(cast({{ column }} as {{ dbt.type_string() }}), '')
{%- endmacro %}

{#- Columns as one canonical text: 'col=value; col=value' in the given order ('null' for null). -#}
{% macro kpi_config_canonical(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'; '") %}{% endif -%}
        {%- do parts.append("'" ~ column ~ "='") -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), 'null')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
