{#- The basis of the headline `orders` / `gmv` columns comes from the `sales_basis` variable
    (dbt_project.yml). Returns the name of the basis-specific column, e.g. `gmv_paid_amount` for
    ('gmv', '_amount'): the basis sits between the measure and its unit suffix. -#}
{% macro sales_basis_column(measure, suffix='') -%}
    {{ measure }}_{{ sales_basis() }}{{ suffix }}
{%- endmacro %}

{#- The shop-local day a sale counts on under that basis: the fct_orders column
    `paid_local_date`, `delivered_local_date` or `completed_local_date`. -#}
{% macro sales_basis_local_date() -%}
    {{ sales_basis() }}_local_date
{%- endmacro %}

{#- The `sales_basis` variable, checked. -#}
{% macro sales_basis() -%}
    {%- set basis = var('sales_basis') -%}
    {%- if basis not in ['paid', 'delivered', 'completed'] -%}
        {{ exceptions.raise_compiler_error("var sales_basis must be 'paid', 'delivered' or 'completed', got '" ~ basis ~ "'") }}
    {%- endif -%}
    {{ return(basis) }}
{%- endmacro %}

{#- When an order counts as delivered, from the source var `delivered_source` names: TikTok's
    delivery time (`tiktok`, default) or the ERP's sign-for time (`erp`). -#}
{% macro delivered_at(tiktok_delivered_at, erp_signed_for_at) -%}
    {%- set source = var('delivered_source') -%}
    {%- if source == 'tiktok' -%}{{ tiktok_delivered_at }}
    {%- elif source == 'erp' -%}{{ erp_signed_for_at }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var delivered_source must be 'tiktok' or 'erp', got '" ~ source ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- An order is completed once the return window (var `return_window_days`) after its
    delivery has passed: the moment that happens, or null while it has not. -#}
{% macro completed_at(delivered_at, as_of) -%}
    case
        when {{ delivered_at }} is not null
            and {{ dbt.dateadd('day', var('return_window_days'), delivered_at) }} <= {{ as_of }}
        then {{ dbt.dateadd('day', var('return_window_days'), delivered_at) }}
    end
{%- endmacro %}
