{#- dbt's `source()`, with the raw files' folder filled in when a node runs, not when dbt parses.

    Each source's `external_location` reads `$$LINKSTAR_HOME/raw/...` (`$$` is the template
    formatter's escaped `$`, so the location keeps a literal `$LINKSTAR_HOME`). Reading the home
    with env_var() in the YAML made every new LINKSTAR_HOME re-parse every source and every model
    downstream of one (nearly the whole project, ~10 s of CPU per dbt command); here env_var() is
    called only when `execute` is true, which dbt does not record as a parse input. The compiled
    SQL is the same absolute path as before. -#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- if execute and relation.external and '$LINKSTAR_HOME' in relation.external -%}
        {%- set relation = relation.incorporate(
            external=relation.external | replace('$LINKSTAR_HOME', env_var('LINKSTAR_HOME'))) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
