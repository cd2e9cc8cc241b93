"""Alembic migrations, shipped inside the package and found through importlib.resources."""
