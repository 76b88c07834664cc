"""The only place with SQL: the file, its schema and migrations, and the queries."""
