"""What every app shares and no app owns: formatting, parsing, concurrency, history, roles,
permissions, and the data version that keys every cache of computed figures.

core depends on Django only; every domain app (departments ← stellenplan ← costing ←
decisions) and the pages (front) may import it, core imports none of them.
"""
