"""ERP export files (店小秘 Dianxiaomi, 马帮 Mabang, 领星 Lingxing) read into canonical tables.

Sellers drop `.xlsx` or `.csv` exports; a mapping file per vendor, kind and layout version
(`mappings/*.toml`, plus the seller's own) says which header means which canonical column.
`read_erp_file` detects the mapping from the header row, types every cell and either
returns the whole file or raises `ErpFileRejected` listing every problem. No Dagster here.
"""

from connectors.erp_files.columns import (
    CANONICAL_TABLES,
    COLUMN_TYPES,
    INVENTORY_SNAPSHOT,
    ORDER_FULFILMENT,
    SKU_LANDED_COST,
    CanonicalColumn,
)
from connectors.erp_files.encoding import UndecodableText, decode_text
from connectors.erp_files.errors import (
    MAX_REPORTED_PROBLEMS,
    ErpFileProblem,
    ErpFileRejected,
    ErpMappingError,
)
from connectors.erp_files.headers import HeaderMatch, choose_mapping, match_header
from connectors.erp_files.mapping import (
    ErpMapping,
    MappedColumn,
    builtin_mapping_files,
    load_mapping_file,
    load_mappings,
    normalize_header,
)
from connectors.erp_files.reader import SOURCE_ROW, ParsedErpFile, file_name_date, read_erp_file
from connectors.erp_files.values import (
    CellValueError,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_integer,
    parse_money,
    parse_safe_text,
    parse_text,
    parse_value,
)

__all__ = [
    "CANONICAL_TABLES",
    "COLUMN_TYPES",
    "INVENTORY_SNAPSHOT",
    "MAX_REPORTED_PROBLEMS",
    "ORDER_FULFILMENT",
    "SKU_LANDED_COST",
    "SOURCE_ROW",
    "CanonicalColumn",
    "CellValueError",
    "ErpFileProblem",
    "ErpFileRejected",
    "ErpMapping",
    "ErpMappingError",
    "HeaderMatch",
    "MappedColumn",
    "ParsedErpFile",
    "UndecodableText",
    "builtin_mapping_files",
    "choose_mapping",
    "decode_text",
    "file_name_date",
    "load_mapping_file",
    "load_mappings",
    "match_header",
    "normalize_header",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_integer",
    "parse_money",
    "parse_safe_text",
    "parse_text",
    "parse_value",
    "read_erp_file",
]
