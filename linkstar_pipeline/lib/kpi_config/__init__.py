"""KPI-management configuration: read, validate and land the files an operations lead edits.

yaml_lines (YAML with line numbers) → loader (shapes) → rules (cross-references, stability)
→ normalize (design §2 tables, sha256) → landing (versioned raw files). `validate.py` chains
the first three for the CLI and the Dagster asset.
"""
