"""Pure computations of the indicators app (no database access).

Plain data in and out — unit and data-element codes as ``str``, values as ``float`` with
``None`` for a missing value, dates as :class:`datetime.date` — so that services, selectors,
benchmarks and tests call the same functions:

- :mod:`.periods` — DHIS2-style period codes (``2015``, ``2015Q1``, ``201503``) and conversion of
  a finer series to a coarser period;
- :mod:`.expressions` — numerator / denominator expressions over data-element codes;
- :mod:`.rollup` — values up the admin-unit tree, unit groups and levels;
- :mod:`.equalisation` — max/min ratio, coefficient of variation, Theil index, gaps, trends;
- :mod:`.targets` — progress toward a target, linear-trend forecast, status;
- :mod:`.scoring` — assessment scoring rules with a trace of the values behind each score.
"""
