"""What the twin reads instead of a million units: how many units of each product, state and owner
stand at each place, kept by database triggers on ``devices`` (so no write path can forget it), and
the SQL that builds it again from the units (after a bulk load)."""
from __future__ import annotations

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


REBUILD_SQL = (
    "DELETE FROM device_counts",
    "INSERT INTO device_counts (place_id, product_id, state, owner, units) "
    "SELECT COALESCE(location_id, 0), product_id, state, owner, COUNT(*) FROM devices "
    "GROUP BY COALESCE(location_id, 0), product_id, state, owner",
)

_SUBTRACT = ("UPDATE device_counts SET units = units - 1 WHERE place_id = COALESCE(OLD.location_id, 0) "
             "AND product_id = OLD.product_id AND state = OLD.state AND owner = OLD.owner")
_ADD = ("INSERT INTO device_counts (place_id, product_id, state, owner, units) "
        "VALUES (COALESCE(NEW.location_id, 0), NEW.product_id, NEW.state, NEW.owner, 1) "
        "ON CONFLICT (place_id, product_id, state, owner) DO UPDATE SET units = device_counts.units + 1")

POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION device_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN {_SUBTRACT}; END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN {_ADD}; END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER devices_counted AFTER INSERT OR DELETE OR UPDATE OF location_id, product_id, state, owner "
    "ON devices FOR EACH ROW EXECUTE FUNCTION device_counts_follow()",
)
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER devices_counted_insert AFTER INSERT ON devices BEGIN {_ADD}; END",
    f"CREATE TRIGGER devices_counted_delete AFTER DELETE ON devices BEGIN {_SUBTRACT}; END",
    "CREATE TRIGGER devices_counted_update AFTER UPDATE OF location_id, product_id, state, owner ON devices "
    f"BEGIN {_SUBTRACT}; {_ADD}; END",
)
DROP_POSTGRESQL_TRIGGERS = ("DROP TRIGGER devices_counted ON devices", "DROP FUNCTION device_counts_follow()")
DROP_SQLITE_TRIGGERS = tuple(f"DROP TRIGGER {name}" for name in
                             ("devices_counted_insert", "devices_counted_delete", "devices_counted_update"))
