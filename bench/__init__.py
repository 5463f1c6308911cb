"""Development tools, outside the product apps: city generator and benchmarks.

A Django app (bench.apps.BenchConfig) for `manage.py generate_city`, installed only with
DJANGO_DEBUG=1 or STELLENPLAN_DEVTOOLS=1; `bench/run.py` (`make bench`) and
`bench/loadtest.py` (`make loadtest`) are scripts run from the project root.
"""
