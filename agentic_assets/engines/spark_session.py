"""The Spark session, through dagster-pyspark's `LazyPySparkResource`: local[N] or a Spark Connect server.

One resource per master for the process: Spark allows one JVM session per driver, and the JVM starts only
when a Spark asset first runs (the resource is lazy), so a code location that never uses Spark pays nothing.
"""

from __future__ import annotations

from dagster_pyspark import LazyPySparkResource

from agentic_assets.settings import Settings

CONNECT_SCHEME = "sc://"

# Settings every session gets, local or remote. UTC: timestamps are evaluated like DuckDB's naive
# TIMESTAMP, whatever the driver's time zone. ANSI mode: a cast that does not fit, or a division by
# zero, fails the run (as DuckDB's cast does) instead of writing NULL.
SESSION_CONFIG = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    # Few shuffle partitions: the demo's aggregates are small, and the default 200 tasks per shuffle cost
    # seconds of scheduling on a 2-core driver. A cluster operator raises it to the cluster's cores.
    "spark.sql.shuffle.partitions": "4",
}

# Only for a JVM this process starts itself (a Spark Connect server has its own settings).
LOCAL_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
}


def spark_config(master: str) -> dict[str, str]:
    """The session settings for a master: local[N] / spark://... (spark.master) or sc://... (spark.remote)."""
    if master.startswith(CONNECT_SCHEME):
        return {"spark.remote": master, **SESSION_CONFIG}
    return {"spark.master": master, **LOCAL_CONFIG, **SESSION_CONFIG}


_RESOURCES: dict[str, LazyPySparkResource] = {}


def spark_resource(settings: Settings) -> LazyPySparkResource:
    """The process's PySpark resource for the configured master (also bound in the code location's Definitions)."""
    master = settings.spark_master
    if master not in _RESOURCES:
        _RESOURCES[master] = LazyPySparkResource(spark_config=spark_config(master))
    return _RESOURCES[master]


def spark_session(settings: Settings):  # -> pyspark.sql.SparkSession (or its Spark Connect twin)
    session = spark_resource(settings).spark_session
    if not settings.spark_master.startswith(CONNECT_SCHEME):
        session.sparkContext.setLogLevel("ERROR")
    return session
