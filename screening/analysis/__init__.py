"""From descriptor rows to a ranked table, queries and reports."""
