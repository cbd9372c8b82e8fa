{#- How a whole is cut into parts by weights, written once, for ads figures moved from the
    advertiser's days to the shop's days (int_ads_day_slices): money in cents, counts
    (impressions, clicks, purchases, follows) in units. Largest remainders (Hamilton's method):
    every part gets the whole number of units its exact share holds (floor of
    units × weight ÷ total_weight); the units left over go one each to the parts with the
    largest remainders (ties: the earlier `tie_break`). So the parts are whole units, each
    within one unit of its exact share, and they add up to the whole exactly — which rounding
    each part on its own does not promise (three thirds of 0.10 are 0.03 each). The weights
    of one `partition_by` must add up to `total_weight`; a negative whole is cut as its
    absolute value, each part keeping the sign. `scale`: decimals of a unit (2: cents). -#}
{% macro largest_remainder_part(whole, weight, total_weight, partition_by, tie_break, scale=0) -%}
    {%- set units = 'abs(cast((' ~ whole ~ ') * ' ~ (10 ** scale) ~ ' as ' ~ dbt.type_bigint() ~ '))' -%}
    {%- set exact = 'cast(' ~ units ~ ' as decimal(38, 0)) * (' ~ weight ~ ')' -%}
    {%- set floor_part = whole_quotient(exact, total_weight) -%}
    {%- set remainder = '(' ~ exact ~ ' - ' ~ floor_part ~ ' * (' ~ total_weight ~ '))' -%}
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
