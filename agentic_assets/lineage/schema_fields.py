"""DuckDB column types as DataHub schema fields."""

from __future__ import annotations

import re

from datahub.emitter.mce_builder import make_data_platform_urn
from datahub.metadata.schema_classes import (
    ArrayTypeClass,
    BooleanTypeClass,
    BytesTypeClass,
    DateTypeClass,
    GlobalTagsClass,
    MapTypeClass,
    NullTypeClass,
    NumberTypeClass,
    OtherSchemaClass,
    RecordTypeClass,
    SchemaFieldClass,
    SchemaFieldDataTypeClass,
    SchemaMetadataClass,
    StringTypeClass,
    TagAssociationClass,
    TimeTypeClass,
)

from agentic_assets.lineage.model import DatasetFacts

PII_TAG = "urn:li:tag:pii"

_NUMBER = re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?\d*|DECIMAL|NUMERIC|DOUBLE|FLOAT\d*|REAL)\b")
_STRING = re.compile(r"^(VARCHAR|TEXT|STRING|CHAR|BPCHAR|UUID|JSON|ENUM)\b")


def field_type(duckdb_type: str) -> SchemaFieldDataTypeClass:
    t = duckdb_type.strip().upper()
    kind: object
    if t.endswith("[]") or t.startswith("LIST") or t.startswith("ARRAY"):
        kind = ArrayTypeClass()
    elif t.startswith("STRUCT"):
        kind = RecordTypeClass()
    elif t.startswith("MAP"):
        kind = MapTypeClass()
    elif t in ("BOOLEAN", "BOOL"):
        kind = BooleanTypeClass()
    elif _NUMBER.match(t):
        kind = NumberTypeClass()
    elif _STRING.match(t):
        kind = StringTypeClass()
    elif t == "DATE":
        kind = DateTypeClass()
    elif t.startswith("TIMESTAMP") or t.startswith("TIME") or t == "DATETIME" or t.startswith("INTERVAL"):
        kind = TimeTypeClass()
    elif t in ("BLOB", "BYTEA", "BINARY", "VARBINARY"):
        kind = BytesTypeClass()
    else:  # UNKNOWN (not inferable statically) and anything new
        kind = NullTypeClass()
    return SchemaFieldDataTypeClass(type=kind)  # type: ignore[arg-type]


def schema_metadata(dataset: DatasetFacts) -> SchemaMetadataClass:
    fields = [
        SchemaFieldClass(
            fieldPath=c.name,
            type=field_type(c.type),
            nativeDataType=c.type,
            description=c.description,
            nullable=True,
            globalTags=GlobalTagsClass(tags=[TagAssociationClass(tag=PII_TAG)]) if c.pii else None,
        )
        for c in dataset.columns
    ]
    return SchemaMetadataClass(
        schemaName=dataset.ref.name,
        platform=make_data_platform_urn(dataset.ref.platform),
        version=0,
        hash="",
        platformSchema=OtherSchemaClass(rawSchema=""),
        fields=fields,
    )
