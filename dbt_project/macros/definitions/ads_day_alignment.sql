{#- How a whole is cut into parts by weights, written once: for ads figures moved from the
    advertiser's days to the shop's days (int_ads_day_slices: money in cents, counts
    (impressions, clicks, purchases, follows) in units) and for a shop's GMV change cut over
    its products (kpi_drivers_items_daily). Largest remainders (Hamilton's method): every part
    gets the whole number of units its exact share holds (floor of
    units × weight ÷ total_weight); the units left over go one each to the parts with the
    largest remainders (ties: the earlier `tie_break`). So the parts are whole units, each
    within one unit of its exact share, and they add up to the whole exactly — which rounding
    each part on its own does not promise (three thirds of 0.10 are 0.03 each). The weights
    of one `partition_by` are whole numbers that add up to `total_weight` (not zero); they may
    have either sign (a product that sold more, one that sold less), a share then being
    negative or above the whole. A negative whole is cut as its absolute value, each part
    taking the whole's sign. `scale`: decimals of a unit (2: cents). -#}
{% macro largest_remainder_part(whole, weight, total_weight, partition_by, tie_break, scale=0) -%}
    {%- set units = 'abs(cast((' ~ whole ~ ') * ' ~ (10 ** scale) ~ ' as ' ~ dbt.type_bigint() ~ '))' -%}
    {#- Weights and total turned so that the total is positive: the floors then round down. -#}
    {%- set exact = 'cast(' ~ units ~ ' as decimal(38, 0)) * (' ~ weight ~ ') * sign(' ~ total_weight ~ ')' -%}
    {%- set total = 'abs(' ~ total_weight ~ ')' -%}
    {%- set floor_part = whole_quotient(exact, total) -%}
    {%- set remainder = '(' ~ exact ~ ' - ' ~ floor_part ~ ' * ' ~ total ~ ')' -%}
    {%- set part -%}
        sign({{ whole }}) * (
            {{ floor_part }}
            + case
                when row_number() over (
                    partition by {{ partition_by }} order by {{ remainder }} desc, {{ tie_break }}
                ) <= {{ units }} - sum({{ floor_part }}) over (partition by {{ partition_by }})
                    then 1
                else 0
            end
        )
    {%- endset -%}
    {%- if scale -%}
        cast(cast({{ part }} as decimal(38, 0)) * cast(0.{{ '0' * (scale - 1) }}1 as decimal(38, {{ scale }})) as decimal(18, {{ scale }}))
    {%- else -%}
        cast({{ part }} as {{ dbt.type_bigint() }})
    {%- endif -%}
{%- endmacro %}
