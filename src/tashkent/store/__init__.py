"""Where results live: the run index (SQLAlchemy; SQLite by default, PostgreSQL by URL) and
Parquet result files, written atomically."""
