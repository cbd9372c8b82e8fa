{#- Which landed ERP row wins where several files hold the same keys: the file loaded last, by
    `load_sequence` (numbered in load order: oldest modification time first, then by path; see
    linkstar_pipeline/lib/erp_inbox.py). Files landed before the numbering count as 0 and
    fall back to load time; the SHA-256 only makes the order total. -#}
{% macro erp_load_order() -%}
    coalesce(load_sequence, 0) desc, loaded_at desc, file_sha256 desc
{%- endmacro %}
