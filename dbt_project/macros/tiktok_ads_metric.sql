{#- A TikTok Ads report metric as text: the API sends strings and "-" for "no value", which
    must become null, never zero. -#}
{% macro ads_metric(row_json, name) -%}
    nullif({{ json_text(row_json, '$.metrics.' ~ name) }}, '-')
{%- endmacro %}
