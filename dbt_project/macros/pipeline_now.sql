{#- The pipeline's "now" as a UTC timestamp literal: `LINKSTAR_NOW` when the run pins its clock
    (linkstar_pipeline/lib/clock.py reads the same variable, so Python and SQL agree on today),
    else the warehouse's current timestamp. Only models that decide dates from "now" use it;
    audit columns (when a row was computed) keep the real clock. -#}
{% macro pipeline_now() -%}
    {%- set pinned = env_var('LINKSTAR_NOW', '') | trim -%}
    {%- if pinned -%}
        {%- set moment = modules.datetime.datetime.fromisoformat(pinned) -%}
        {%- if moment.tzinfo is not none -%}
            {%- set moment = moment.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
        {%- endif -%}
        cast('{{ moment.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as timestamp)
    {%- endif -%}
{%- endmacro %}
