{#- Every column rule of a model in one query: filled (`not_null`), no value twice (`unique`),
    one of a list (`accepted_values`: column → values) and present in another model
    (`references`: column, to, field). One test node per model rather than one per column and
    rule: each dbt test is a node with its own overhead, and a staging view re-runs its query
    for each. A failing row names its `rule`, `column_name`, the offending `bad_value` (null
    for not_null) and `rows_failing`. Rules with their own condition (`where`) or severity are
    a second column_rules test on the model with that config. -#}
{% test column_rules(model, not_null=[], unique=[], accepted_values={}, references=[]) %}
    {#- The failure count is the rows that break a rule, not the failing (rule, value) groups. -#}
    {{ config(fail_calc='coalesce(sum(rows_failing), 0)') }}
    {%- set string_type = dbt.type_string() -%}
    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append(
            "select 'not_null' as rule, '" ~ column ~ "' as column_name, "
            ~ "cast(null as " ~ string_type ~ ") as bad_value, count(*) as rows_failing "
            ~ "from " ~ model ~ " where " ~ column ~ " is null having count(*) > 0"
        ) -%}
    {%- endfor -%}
    {%- for column in unique -%}
        {%- do checks.append(
            "select 'unique' as rule, '" ~ column ~ "' as column_name, cast(" ~ column ~ " as " ~ string_type ~ ") as bad_value, count(*) as rows_failing "
            ~ "from " ~ model ~ " where " ~ column ~ " is not null "
            ~ "group by " ~ column ~ " having count(*) > 1"
        ) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set literals = [] -%}
        {%- for value in values -%}
            {%- do literals.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do checks.append(
            "select 'accepted_values' as rule, '" ~ column ~ "' as column_name, cast(" ~ column ~ " as " ~ string_type ~ ") as bad_value, count(*) as rows_failing "
            ~ "from " ~ model ~ " where " ~ column ~ " not in (" ~ literals | join(", ") ~ ") "
            ~ "group by " ~ column
        ) -%}
    {%- endfor -%}
    {%- for reference in references -%}
        {%- do checks.append(
            "select 'references " ~ (reference.to | string | replace("'", "''")) ~ "." ~ reference.field ~ "' as rule, '"
            ~ reference.column ~ "' as column_name, cast(child." ~ reference.column ~ " as " ~ string_type ~ ") as bad_value, count(*) as rows_failing "
            ~ "from (select * from " ~ model ~ ") as child left join " ~ reference.to ~ " as parent "
            ~ "on child." ~ reference.column ~ " = parent." ~ reference.field ~ " "
            ~ "where child." ~ reference.column ~ " is not null and parent." ~ reference.field ~ " is null "
            ~ "group by child." ~ reference.column
        ) -%}
    {%- endfor -%}
    {%- if not checks -%}
        {{ exceptions.raise_compiler_error("column_rules on " ~ model ~ " lists no rule") }}
    {%- endif %}
    {{ checks | join("\nunion all\n") }}
{% endtest %}
