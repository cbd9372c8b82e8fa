{#- Every listed column is filled. One query per model rather than one `not_null` per column:
    each dbt test is a node with its own overhead (a full build spent about a third of its
    time on per-column not_null tests), and a staging view re-runs its query for every test.
    A failing row says which of its columns are null in `null_columns`. -#}
{% test not_null_columns(model, column_names) %}
    {%- set null_flags = [] -%}
    {%- for column in column_names -%}
        {%- do null_flags.append("case when " ~ column ~ " is null then '" ~ column ~ " ' else '' end") -%}
    {%- endfor %}
    select
        {{ column_names | join(', ') }},
        {{ dbt.concat(null_flags) }} as null_columns
    from {{ model }}
    where {% for column in column_names %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
