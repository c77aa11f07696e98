"""Cache-aside and write-through measured: read steps, hit ratios, staleness, races, costs."""
