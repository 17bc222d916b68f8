from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime

AREA_KINDS = ("urban", "suburban")
DEPARTMENT_KINDS = ("maintenance", "water_quality", "enforcement", "billing", "customer_service")


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (CheckConstraint("kind IN ('urban', 'suburban')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh


class Department(Base):
    """A unit that receives work orders. `area_id` is None for a city-wide department."""

    __tablename__ = "departments"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('maintenance', 'water_quality', 'enforcement', 'billing', "
            "'customer_service')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    # R14: every department names a 24-hour liaison.
    liaison_name: Mapped[str] = mapped_column(String(100), default="")
    liaison_phone: Mapped[str] = mapped_column(String(32), default="")

    area: Mapped[Area | None] = relationship()

    def name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh


class CustomerAccount(Base):
    """One household, one file (R30)."""

    __tablename__ = "customer_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column(String(200))
    house_number: Mapped[str] = mapped_column(String(50))
    landmark: Mapped[str] = mapped_column(String(200), default="")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    meter_number: Mapped[str] = mapped_column(String(50), default="")
    balance_due: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    last_bill_date: Mapped[date | None] = mapped_column(Date)
    last_bill_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    area: Mapped[Area] = relationship()
    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="CustomerPhone.id"
    )

    @property
    def address(self) -> str:
        parts = [self.street, self.house_number]
        text = "".join(p for p in parts if p)
        return f"{text}（{self.landmark}）" if self.landmark else text


class CustomerPhone(Base):
    __tablename__ = "customer_phones"
    __table_args__ = (UniqueConstraint("account_id", "e164"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("customer_accounts.id", ondelete="CASCADE"), index=True
    )
    e164: Mapped[str] = mapped_column(String(20), index=True)

    account: Mapped[CustomerAccount] = relationship(back_populates="phones")
