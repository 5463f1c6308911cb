"""bench/run.py's verdicts: each target of issue 10 met or missed, from the figures of one run."""

from bench.run import PAGE_LABELS, PAGES, repeats, table, verdicts


def result(size: int, ms: float, queries: int, **groups) -> dict:
    return {
        "size": size,
        "generate_s": size / 5000,
        "pages": {key: {"ms": ms, "queries": queries} for key in PAGES},
        **groups,
    }


def marks(lines: list[str]) -> list[str]:
    return [line.split("**")[1] for line in lines]


def test_pages_meet_the_target_below_150_ms_with_small_growth_and_equal_queries():
    results = [result(2000, 50, 12), result(20000, 80, 12), result(100000, 110, 12)]

    lines = verdicts(results)[: len(PAGE_LABELS)]

    assert marks(lines) == ["erreicht"] * len(PAGE_LABELS)
    assert "Zeitfaktor 1,38 von N = 20.000 auf 100.000" in lines[0]
    assert "Abfragen 12 / 12 / 12" in lines[0]


def test_pages_miss_the_target_when_slow_growing_or_with_more_queries():
    slow = verdicts([result(20000, 100, 12), result(100000, 151, 12)])
    growing = verdicts([result(20000, 60, 12), result(100000, 100, 12)])  # ×1.67
    queries = verdicts([result(2000, 60, 11), result(20000, 60, 12), result(100000, 60, 12)])

    assert marks(slow)[0] == marks(growing)[0] == marks(queries)[0] == "verfehlt"


def test_the_ratio_targets_come_from_the_largest_size():
    small = result(20000, 50, 12, excel={"app_peak_mb": 20.0, "ratio": 2.0}, pdf={"ratio": 2.0})
    big = result(
        100000,
        50,
        12,
        costing={"ratio": 1.9, "engine_ms": 95.0, "floor_ms": 50.0},
        excel={"ratio": 1.31, "app_s": 13.1, "floor_s": 10.0, "app_peak_mb": 29.0},
        pdf={"ratio": 1.05, "app_s": 4.2, "floor_s": 4.0},
    )

    lines = verdicts([small, big])[len(PAGE_LABELS) :]

    assert marks(lines) == [
        "erreicht",
        "verfehlt",
        "erreicht",
        "erreicht",
        "nicht messbar",  # the Stellenplan document was not measured in this run
        "nicht messbar",
    ]
    assert "1,90 × die SQL-Untergrenze" in lines[0]
    assert "1,31 × openpyxl write-only" in lines[1]
    assert "Faktor 1,45" in lines[2]


def test_a_missing_path_is_not_measurable_rather_than_met():
    big = result(100000, 50, 12, costing={"error": "nicht verfügbar (x fehlt)"})

    lines = verdicts([big])

    assert marks(lines)[len(PAGE_LABELS)] == "nicht messbar"


def test_the_table_shows_the_growth_between_the_two_largest_sizes():
    lines = table([result(2000, 50, 12), result(20000, 80, 12), result(100000, 100, 12)])

    assert lines[0].endswith("| Faktor 20.000 → 100.000 |")
    start = next(line for line in lines if line.startswith("| Startseite"))
    assert start == "| Startseite 2014 (Summen je Amt) | 50 ms | 80 ms | 100 ms | 1,25 |"


def test_fewer_repeats_above_20000_and_the_pdf_three_times_at_the_largest_size_only():
    assert repeats(20000, 7, largest=False) == {
        "pages": 7,
        "costing": 7,
        "excel": 3,
        "pdf": 1,
        "plan": 3,
        "json": 3,
    }
    assert repeats(100000, 7, largest=True) == {
        "pages": 5,
        "costing": 5,
        "excel": 2,
        "pdf": 3,
        "plan": 2,
        "json": 2,
    }


def test_a_figure_left_out_at_a_size_says_why():
    skipped = {"error": "nicht gemessen über N = 20.000"}
    big = result(100000, 50, 12, excel={"app_s": 30.0, "bare_s": skipped, "ratio": 1.1})

    lines = table([big])

    bare = next(line for line in lines if "ohne Formate" in line)
    assert bare.endswith("| nicht gemessen über N = 20.000 |")
    assert any(line.endswith("| 30,00 s |") for line in lines)


def test_the_stellenplan_document_targets_are_1_2_for_the_pdf_and_1_3_for_the_excel():
    big = result(
        20000,
        50,
        12,
        plan={
            "pdf": {"ratio": 1.15, "app_s": 2.3, "floor_s": 2.0},
            "excel": {"ratio": 1.4, "app_s": 0.14, "floor_s": 0.1},
        },
    )

    lines = verdicts([big])[-2:]

    assert marks(lines) == ["erreicht", "verfehlt"]
    assert "Stellenplan 2014 als PDF bei N = 20.000: 2,30 s, 1,15 × WeasyPrint" in lines[0]
    assert "Ziel ≤ 1,3" in lines[1]
    rows = table([big])
    assert any(row.startswith("| Stellenplan 2014 als PDF") and "2,30 s" in row for row in rows)
