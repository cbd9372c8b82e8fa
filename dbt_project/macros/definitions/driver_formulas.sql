{#- Why GMV and orders moved, written once for kpi_drivers_daily and kpi_drivers_weekly.

    The change of a scope's GMV between two periods is split three ways that each add up to
    the change exactly:
    - by factor: GMV = visitors × conversion (orders per visitor) × AOV (GMV per order), and
      orders = visitors × conversion, split by the Shapley value (the average of each factor's
      effect over every order in which the factors can be changed one at a time). Shapley needs
      only +, −, × and ÷ by whole numbers, so it runs in DECIMAL and handles a zero (a day
      without orders); log-mean Divisia needs logarithms (floating point) and breaks at zero.
      Ratios are carried at 12/10 decimals; the last factor is the change less the others, so
      the exact parts sum to the change by construction, then each is rounded to the unit's
      decimals by largest remainders (macro largest_remainder_bump), so the rounded parts
      still sum to the (exact) change;
    - by channel: video and LIVE (the platform's attributed orders and GMV) and product card,
      the remainder (as kpi_funnel_daily's product_card); ads attribution overlaps all three
      and is shown beside the split, never in it;
    - by scope: a market's change is the sum of its shops' changes, the seller's the sum of its
      markets' (like for like: a scope compares the same shops in both periods, a shop with no
      row in the comparison period counting zero). -#}

{#- The Shapley contribution of factor x to the change of x·y·z from (x0, y0, z0) to
    (x1, y1, z1): Δx · (2·(y0·z0 + y1·z1) + y0·z1 + y1·z0) / 6, at `scale` decimals. -#}
{% macro shapley_three_factor(x0, x1, y0, y1, z0, z1, scale=12) -%}
    {{ rounded_division(
        '(' ~ x1 ~ ' - ' ~ x0 ~ ') * (2 * (' ~ y0 ~ ' * ' ~ z0 ~ ' + ' ~ y1 ~ ' * ' ~ z1 ~ ') + '
        ~ y0 ~ ' * ' ~ z1 ~ ' + ' ~ y1 ~ ' * ' ~ z0 ~ ')', 6, scale) }}
{%- endmacro %}

{#- The Shapley contribution of factor x to the change of x·y: Δx · (y0 + y1) / 2. -#}
{% macro shapley_two_factor(x0, x1, y0, y1, scale=12) -%}
    {{ rounded_division('(' ~ x1 ~ ' - ' ~ x0 ~ ') * (' ~ y0 ~ ' + ' ~ y1 ~ ')', 2, scale) }}
{%- endmacro %}

{#- Largest remainders within one row: `parts` (columns whose exact values sum to a whole
    number of units of 10^-scale) are each rounded down to the unit, and the units left over go
    one each to the parts with the largest remainders (ties: the earlier part in `parts`).
    Returns the 0/1 bump of parts[k]; the rounded part is floor(part) + bump. Rounding down
    leaves a remainder in [0, 1) per part, so the units left over are fewer than the parts and
    every rounded part is within one unit of its exact value. -#}
{% macro largest_remainder_bump(parts, k, scale) -%}
    {%- set unit = 10 ** scale -%}
    {%- set ns = namespace(remainders=[]) -%}
    {%- for part in parts -%}
        {%- set ns.remainders = ns.remainders + ['(' ~ part ~ ' * ' ~ unit ~ ' - floor(' ~ part ~ ' * ' ~ unit ~ '))'] -%}
    {%- endfor -%}
    {%- set ahead = [] -%}
    {%- for j in range(parts | length) if j != k -%}
        {%- do ahead.append('case when ' ~ ns.remainders[j] ~ (' >= ' if j < k else ' > ') ~ ns.remainders[k] ~ ' then 1 else 0 end') -%}
    {%- endfor -%}
    {%- set floors = [] -%}
    {%- for part in parts -%}
        {%- do floors.append('floor(' ~ part ~ ' * ' ~ unit ~ ')') -%}
    {%- endfor -%}
    case
        when 1 + {{ ahead | join(' + ') }}
            <= round(({{ parts | join(' + ') }}) * {{ unit }}) - ({{ floors | join(' + ') }})
            then 1
        else 0
    end
{%- endmacro %}

{#- A part rounded by largest remainders to `scale` decimals (see largest_remainder_bump). -#}
{% macro largest_remainder_rounded(parts, k, scale) -%}
    cast(
        cast(floor({{ parts[k] }} * {{ 10 ** scale }}) + {{ largest_remainder_bump(parts, k, scale) }} as decimal(38, 0))
        * cast({{ '1' if scale == 0 else '0.' ~ '0' * (scale - 1) ~ '1' }} as decimal(38, {{ scale }}))
    as decimal(18, {{ scale }}))
{%- endmacro %}

{#- The name of the most negative of `named_values` (name → column), null when none fell. -#}
{% macro most_negative(named_values) -%}
    {%- set items = named_values.items() | list -%}
    case
    {%- for name, column in items %}
        when {{ column }} < 0
            {%- for other_name, other in items if other_name != name %}
            and {{ column }} <= coalesce({{ other }}, 0)
            {%- endfor %}
            then '{{ name }}'
    {%- endfor %}
    end
{%- endmacro %}
