"""Static SQL validation: what is refused, and that the message says what and where."""

from __future__ import annotations

import pytest

from sandbox_runtime.static_sql import validate_sql

DECLARED = {"orders", "customers"}


@pytest.mark.parametrize(
    "sql",
    [
        "select * from orders",
        "SELECT customer, sum(amount) AS total FROM orders GROUP BY customer",
        "with big as (select * from orders where amount > 10) select * from big join customers using (customer)",
        "select 1 union all select 2",
        "select * from orders where customer in (select name from customers)",
        "from orders select order_id",
        "select * from range(10)",
        "select * from orders, unnest([1, 2]) as u(x)",
        "select order_id, row_number() over (partition by customer order by amount) from orders "
        "qualify row_number() over (partition by customer) = 1",
        "select list_transform([1, 2], x -> x + 1)",
        "select 1;",
    ],
)
def test_accepts_plain_queries(sql: str) -> None:
    assert validate_sql(sql, DECLARED) == []


@pytest.mark.parametrize(
    ("sql", "rule", "fragment"),
    [
        ("copy orders to 'x.csv'", "one_select", "COPY"),
        ("attach 'x.db' as x", "one_select", "ATTACH"),
        ("install httpfs", "one_select", "INSTALL"),
        ("load httpfs", "one_select", "LOAD"),
        ("pragma version", "one_select", "PRAGMA"),
        ("set threads = 1", "one_select", "SET"),
        ("call pragma_version()", "one_select", "CALL"),
        ("insert into orders values (1, 'x', 1.0)", "one_select", "INSERT"),
        ("create table t as select * from orders", "one_select", "CREATE"),
        ("drop table orders", "one_select", "DROP"),
        ("update orders set amount = 0", "one_select", "UPDATE"),
        ("delete from orders", "one_select", "DELETE"),
        ("select 1; select 2", "one_select", "2 statements"),
        ("select * from read_csv('/etc/passwd')", "forbidden_function", "read_csv()"),
        ("select * from read_parquet('s3://bucket/x')", "forbidden_function", "read_parquet()"),
        ("select * from read_json_auto('x.json')", "forbidden_function", "read_json"),
        ("select * from glob('/*')", "forbidden_function", "glob()"),
        ("select * from parquet_scan('x')", "forbidden_function", "parquet_scan()"),
        ("select read_text('/etc/hostname')", "forbidden_function", "read_text()"),
        ("select * from query('select 1')", "forbidden_function", "query()"),
        ("select * from '/etc/passwd'", "undeclared_table", "file path"),
        ("select * from duckdb_settings()", "table_function", "duckdb_settings()"),
        ("select * from main.orders", "undeclared_table", "qualified"),
        ("select * from information_schema.tables", "undeclared_table", "qualified"),
        ("export database 'out'", "syntax", "does not parse"),
    ],
)
def test_refuses(sql: str, rule: str, fragment: str) -> None:
    issues = validate_sql(sql, DECLARED)
    assert issues, sql
    assert any(i.rule == rule and fragment in i.message for i in issues), [i.message for i in issues]


def test_undeclared_table_message_names_line_and_declared_inputs() -> None:
    sql = "select o.*\nfrom orders o\njoin foo f on f.id = o.order_id"
    [issue] = validate_sql(sql, {"a", "b", "orders"})
    assert issue.rule == "undeclared_table"
    assert issue.message == "line 3: table 'foo' is not a declared input; declared: a, b, orders"
    assert issue.line == 3 and issue.column == 6 and issue.snippet.startswith("foo")


def test_cte_names_are_not_inputs_but_are_allowed() -> None:
    sql = "with step as (select * from orders) select * from step"
    assert validate_sql(sql, {"orders"}) == []
    assert validate_sql("select * from step", {"orders"})[0].rule == "undeclared_table"


def test_syntax_error_has_position() -> None:
    [issue] = validate_sql("select from from", DECLARED)
    assert issue.rule == "syntax"
    assert issue.line == 1 and issue.message.startswith("line 1, column")


def test_empty_sql() -> None:
    assert validate_sql("  ", DECLARED)[0].rule == "one_select"
