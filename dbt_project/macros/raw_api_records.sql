{#- The newest landed version of every record of one raw API source, still as raw JSON.

    Update-time partitions overlap in content (a record lands again on every day it changes)
    and reruns re-land pages, so this is where duplicates end: newest `update_time` wins, ties
    go to the later fetch. Shared by every TikTok Shop search feed (orders, returns,
    cancellations), which differ only in where the list sits and what the id is called. -#}
{% macro latest_raw_api_records(source_relation, records_path, id_path, id_column, json_column) -%}
with raw_pages as (
    select shop_id, partition_key, request_id, fetched_at, body
    from {{ source_relation }}
),

record_versions as (
    {{ json_array_rows('raw_pages', 'body', records_path, json_column,
                       ['shop_id', 'partition_key', 'request_id', 'fetched_at']) }}
),

keyed_versions as (
    select
        {{ json_text(json_column, id_path) }} as {{ id_column }},
        shop_id,
        cast({{ json_text(json_column, '$.update_time') }} as bigint) as update_time,
        fetched_at,
        request_id,
        partition_key,
        {{ json_column }}
    from record_versions
),

latest_versions as (
    {{ latest_row_per_key(
        'keyed_versions', [id_column], 'update_time desc, fetched_at desc',
        [id_column, 'shop_id', 'update_time', 'fetched_at', 'request_id', 'partition_key', json_column]) }}
)

select * from latest_versions
{%- endmacro %}
