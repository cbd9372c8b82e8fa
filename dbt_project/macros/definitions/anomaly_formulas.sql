{#- The median of `value_column` per `group_columns` in `relation`, exact in DECIMAL: the
    middle value, or the two middle values halved (no float average, no engine-specific
    percentile). Rows with a null value are left out. Used twice by the robust z-score: for
    the median and for the median absolute deviation. -#}
{% macro exact_median(relation, group_columns, value_column) -%}
    select
        {{ group_columns | join(', ') }},
        max(value_count) as value_count,
        -- the middle value twice, or the two middle values, halved: both branches keep the
        -- value's own type (a CASE mixing scales may round to the smaller one)
        sum(
            case
                when 2 * value_position = value_count + 1 then {{ value_column }} * 2
                when 2 * value_position in (value_count, value_count + 2) then {{ value_column }}
            end
        ) * 0.5 as median_value
    from (
        select
            {{ group_columns | join(', ') }},
            {{ value_column }},
            row_number() over (partition by {{ group_columns | join(', ') }} order by {{ value_column }}) as value_position,
            count(*) over (partition by {{ group_columns | join(', ') }}) as value_count
        from {{ relation }}
        where {{ value_column }} is not null
    ) as positioned
    group by {{ group_columns | join(', ') }}
{%- endmacro %}

{#- Iglewicz and Hoaglin's modified z-score: 0.6745 · (value − median) / MAD, where MAD is the
    median absolute deviation from the median (0.6745 makes it comparable with a standard
    z-score on normal data while one outlier in the baseline barely moves it). Null when MAD
    is 0 (no spread to compare with). Two decimals, rounded once by `rounded_division`. -#}
{% macro robust_z_score(value, median, mad) -%}
    {{ rounded_division('0.6745 * (' ~ value ~ ' - ' ~ median ~ ')', 'nullif(' ~ mad ~ ', 0)', 2) }}
{%- endmacro %}
