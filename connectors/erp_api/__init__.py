"""ERP open-API connector: a generic client plus one adapter module per vendor."""
