"""Local storage: SQLAlchemy models on SQLite, Alembic migrations."""
