"""The failure figures from per-product rows: repairs per 100 loan-months, top causes, worst first,
and too little exposure listed last without a rate."""
from hjelpemiddel.maintenance.services.failures import MONTH_DAYS, ProductRow, figures_from_rows


def test_rates_are_repairs_per_100_loan_months_worst_first():
    rows = [ProductRow(1, "Rollator", "123456", "120606", 10 * MONTH_DAYS, {"wheels": 1}),
            ProductRow(2, "Seng", "222222", "181210", 20 * MONTH_DAYS, {"motor": 3, "control": 1}),
            ProductRow(3, "Krakk", None, "093303", 50 * MONTH_DAYS, {})]
    figures = figures_from_rows(rows, min_loan_months=6)
    assert [(f.product_name, f.repairs, f.loan_months, f.repairs_per_100_loan_months) for f in figures] == [
        ("Seng", 4, 20.0, 20.0), ("Rollator", 1, 10.0, 10.0), ("Krakk", 0, 50.0, 0.0)]
    assert [(c.cause, c.label, c.count) for c in figures[0].top_causes] == [
        ("motor", "Motor/aktuator", 3), ("control", "Styring/fjernkontroll", 1)]


def test_too_little_exposure_gives_no_rate_and_comes_last():
    rows = [ProductRow(1, "Sjelden", None, "120606", 2 * MONTH_DAYS, {"battery": 2}),
            ProductRow(2, "Vanlig", None, "120606", 100 * MONTH_DAYS, {None: 1}),
            ProductRow(3, "Aldri utlånt", None, "120606", 0.0, {"other": 1})]
    figures = figures_from_rows(rows, min_loan_months=6)
    assert [(f.product_name, f.repairs_per_100_loan_months) for f in figures] == [
        ("Vanlig", 1.0), ("Sjelden", None), ("Aldri utlånt", None)]
    assert figures[0].top_causes[0].label == "Ikke oppgitt"


def test_no_rows_give_no_figures():
    assert figures_from_rows([]) == []


def test_only_the_three_most_common_causes_are_named_ties_in_the_lists_order():
    row = ProductRow(1, "Stol", None, "122303", 30 * MONTH_DAYS,
                     {"other": 2, "battery": 2, "motor": 1, "brakes": 2, "frame": 1})
    [figure] = figures_from_rows([row])
    assert [c.cause for c in figure.top_causes] == ["battery", "brakes", "other"]
