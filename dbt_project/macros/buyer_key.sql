{#- The keyed one-way hash of a buyer's user id (HMAC-SHA256 under LINKSTAR_BUYER_KEY_SECRET).
    `linkstar_buyer_key` is registered on dbt's DuckDB connection by the profile's plugin
    (linkstar_pipeline/lib/dbt_buyer_key_plugin.py), so the secret never appears in compiled
    SQL. Another engine needs the same function registered (a UDF), never the key inlined. -#}
{% macro buyer_key(user_id) -%}
    linkstar_buyer_key(cast({{ user_id }} as {{ dbt.type_string() }}))
{%- endmacro %}
