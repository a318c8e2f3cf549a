"""The database layer: models, sessions, loading, export and ingest.

Stored rows are the pipeline's memory; `export` turns them back into the
SCHEMA.md shape, so the schema can change without changing the contract.
"""

# Written into files.pipeline_version so stale rows can be found and re-run.
PIPELINE_VERSION = "0.1.0"
