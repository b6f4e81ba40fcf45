"""What the twin reads instead of a million units: how many units stand at each place, kept by
database triggers on ``devices`` (so no write path can forget it), at three grains: per place and
state (the map), per product, state and owner (the overview, minimum stock), and per place,
product, state and owner (where a product stands). The SQL that builds them again from the units
(after a bulk load) is here too."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base

NO_PLACE = 0  # units with no place in the depot (with a citizen, gone): place_id 0, not NULL, so it can be keyed


class DeviceCount(Base):
    __tablename__ = "device_counts"
    __table_args__ = (
        CheckConstraint("units >= 0", name="units_not_negative"),
        Index("ix_device_counts_product_id", "product_id"),
    )

    place_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(24), primary_key=True)
    owner: Mapped[str] = mapped_column(String(8), primary_key=True)
    units: Mapped[int] = mapped_column(default=0)


class PlaceCount(Base):
    __tablename__ = "place_counts"
    __table_args__ = (CheckConstraint("units >= 0", name="units_not_negative"),)

    place_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(24), primary_key=True)
    units: Mapped[int] = mapped_column(default=0)


class ProductCount(Base):
    __tablename__ = "product_counts"
    __table_args__ = (CheckConstraint("units >= 0", name="units_not_negative"),)

    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(24), primary_key=True)
    owner: Mapped[str] = mapped_column(String(8), primary_key=True)
    units: Mapped[int] = mapped_column(default=0)


class PlaceCheckpoint(Base):
    """Units at each place by state at the start of a month (UTC), as the history says: the twin at
    a past moment is the month's checkpoint plus the events since. Each checkpoint has a marker row
    (place ``MARKER``) so an empty depot's month is there too. An event written with a moment
    before a checkpoint (a late entry) makes the database drop the checkpoints after it (trigger
    ``device_events_checkpoints_stale``); ``build_checkpoints`` makes them again."""

    __tablename__ = "place_checkpoints"

    starts_at: Mapped[datetime] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(24), primary_key=True)
    units: Mapped[int]


MARKER = -1
STALE_CHECKPOINT_TRIGGERS = {
    "postgresql": (
        "CREATE FUNCTION device_events_checkpoints_stale() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
        "  DELETE FROM place_checkpoints WHERE starts_at > (SELECT min(occurred_at) FROM new_rows);\n"
        "  RETURN NULL;\nEND $$",
        "CREATE TRIGGER device_events_checkpoints_stale AFTER INSERT ON device_events REFERENCING NEW TABLE AS "
        "new_rows FOR EACH STATEMENT EXECUTE FUNCTION device_events_checkpoints_stale()",
    ),
    "sqlite": ("CREATE TRIGGER device_events_checkpoints_stale AFTER INSERT ON device_events BEGIN "
               "DELETE FROM place_checkpoints WHERE starts_at > NEW.occurred_at; END",),
}
DROP_STALE_CHECKPOINT_TRIGGERS = {
    "postgresql": ("DROP TRIGGER device_events_checkpoints_stale ON device_events",
                   "DROP FUNCTION device_events_checkpoints_stale()"),
    "sqlite": ("DROP TRIGGER device_events_checkpoints_stale",),
}


# table: (key columns, the device's expression for each)
_GRAINS = {
    "device_counts": (("place_id", "product_id", "state", "owner"),
                      ("COALESCE({r}.location_id, 0)", "{r}.product_id", "{r}.state", "{r}.owner")),
    "place_counts": (("place_id", "state"), ("COALESCE({r}.location_id, 0)", "{r}.state")),
    "product_counts": (("product_id", "state", "owner"), ("{r}.product_id", "{r}.state", "{r}.owner")),
}

REBUILD_SQL = tuple(
    sql for table, (keys, values) in _GRAINS.items() for sql in (
        f"DELETE FROM {table}",
        f"INSERT INTO {table} ({', '.join(keys)}, units) SELECT {', '.join(v.format(r='devices') for v in values)}, "
        f"COUNT(*) FROM devices GROUP BY {', '.join(v.format(r='devices') for v in values)}"))


def _subtract(table: str) -> str:
    keys, values = _GRAINS[table]
    where = " AND ".join(f"{k} = {v.format(r='OLD')}" for k, v in zip(keys, values))
    return f"UPDATE {table} SET units = units - 1 WHERE {where}"


def _add(table: str) -> str:
    keys, values = _GRAINS[table]
    return (f"INSERT INTO {table} ({', '.join(keys)}, units) VALUES ({', '.join(v.format(r='NEW') for v in values)}, 1) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET units = {table}.units + 1")


def _postgresql_statement(table: str, op: str) -> str:
    """One statement per table and per write, however many units it moved: every unit's old row taken
    away and its new row added, summed per row of the table (a unit that stayed in its row cancels out:
    no join of the old and new units is needed), taken from the rows they left and added to those
    they joined. (Row by row, approving a stocktake of 10,000 units cost 20,000 trigger calls; joining
    old to new cost 3 s for a recall of 100,000 units.)"""
    keys, values = _GRAINS[table]
    k = ", ".join(f"k{i}" for i in range(len(keys)))

    def side(alias, rows, sign):
        return "SELECT " + ", ".join(f"{v.format(r=alias)} AS k{i}" for i, v in enumerate(values)) \
            + f", {sign} AS delta FROM {rows} {alias}"
    moves = {"UPDATE": f"{side('o', 'old_rows', -1)} UNION ALL {side('n', 'new_rows', 1)}",
             "INSERT": side("n", "new_rows", 1), "DELETE": side("o", "old_rows", -1)}[op]
    match = " AND ".join(f"t.{key} = s.k{i}" for i, key in enumerate(keys))
    return (f"WITH s AS (SELECT {k}, SUM(delta) AS delta FROM ({moves}) AS m GROUP BY {k} HAVING SUM(delta) <> 0), "
            f"taken AS (UPDATE {table} AS t SET units = t.units + s.delta FROM s WHERE s.delta < 0 AND {match}) "
            f"INSERT INTO {table} ({', '.join(keys)}, units) SELECT {k}, delta FROM s WHERE delta > 0 "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET units = {table}.units + EXCLUDED.units")


POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION device_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
    + "".join(f"  IF TG_OP = '{op}' THEN " + " ".join(f"{_postgresql_statement(t, op)};" for t in _GRAINS)
              + " END IF;\n" for op in ("INSERT", "DELETE", "UPDATE"))
    + "  RETURN NULL;\nEND $$",
    "CREATE TRIGGER devices_counted_insert AFTER INSERT ON devices REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION device_counts_follow()",
    "CREATE TRIGGER devices_counted_delete AFTER DELETE ON devices REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION device_counts_follow()",
    "CREATE TRIGGER devices_counted_update AFTER UPDATE ON devices REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION device_counts_follow()",
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER devices_counted_insert AFTER INSERT ON devices BEGIN "
    + " ".join(f"{_add(t)};" for t in _GRAINS) + " END",
    "CREATE TRIGGER devices_counted_delete AFTER DELETE ON devices BEGIN "
    + " ".join(f"{_subtract(t)};" for t in _GRAINS) + " END",
    "CREATE TRIGGER devices_counted_update AFTER UPDATE OF location_id, product_id, state, owner ON devices BEGIN "
    + " ".join(f"{_subtract(t)}; {_add(t)};" for t in _GRAINS) + " END",
)
DROP_POSTGRESQL_TRIGGERS = ("DROP TRIGGER devices_counted_insert ON devices", "DROP TRIGGER devices_counted_delete ON devices",
                            "DROP TRIGGER devices_counted_update ON devices", "DROP FUNCTION device_counts_follow()")
DROP_SQLITE_TRIGGERS = tuple(f"DROP TRIGGER {name}" for name in
                             ("devices_counted_insert", "devices_counted_delete", "devices_counted_update"))
