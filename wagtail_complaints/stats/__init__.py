"""Statistics: database aggregation, named tables, SVG charts, the admin screen and its exports."""
