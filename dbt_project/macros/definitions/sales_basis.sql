{#- The basis of the headline `orders` / `gmv` columns comes from the `sales_basis` variable
    (dbt_project.yml). Returns the name of the basis-specific column, e.g. `gmv_paid`. -#}
{% macro sales_basis_column(measure) -%}
    {%- set basis = var('sales_basis') -%}
    {%- if basis not in ['paid', 'delivered'] -%}
        {{ exceptions.raise_compiler_error("var sales_basis must be 'paid' or 'delivered', got '" ~ basis ~ "'") }}
    {%- endif -%}
    {{ measure }}_{{ basis }}
{%- endmacro %}
