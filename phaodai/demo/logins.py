"""One predictable demo login per role ("<prefix>-<unit code>"), created through the accounts services."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from phaodai.accounts import selectors as accounts
from phaodai.accounts.roles import USERNAME_PREFIX, Role
from phaodai.accounts.services import assign_role, create_user
from phaodai.demo.context import DemoContext
from phaodai.territory import selectors as territory

# (role, unit code): one login per role in the showcase units, then officers of other showcase units.
DEMO_LOGINS: tuple[tuple[Role, str], ...] = (
    (Role.CITY_COMMANDER, "01"),
    (Role.DISTRICT_OFFICER, "004"),  # Long Biên; its vehicles: green lane, transit trips, shippers
    (Role.WARD_OFFICER, "00139"),  # Bồ Đề; its organisations' and residents' travel permits
    (Role.HEALTH_WORKER, "00139"),  # and the flagged health declarations to follow up
    (Role.WELFARE_OFFICER, "00139"),
    (Role.LAB_TECHNICIAN, "01"),
    (Role.CHECKPOINT_OFFICER, "004"),
    (Role.INSPECTOR, "004"),
    (Role.BUSINESS_REPRESENTATIVE, "00139"),
    (Role.WARD_OFFICER, "00133"),  # Ngọc Lâm
    (Role.HEALTH_WORKER, "00133"),  # its traders' rapid tests, its vaccination
    (Role.WARD_OFFICER, "00001"),  # Phúc Xá
    (Role.DISTRICT_OFFICER, "001"),  # Ba Đình
    (Role.DISTRICT_OFFICER, "268"),  # Hà Đông
    (Role.WARD_OFFICER, "09542"),  # Văn Quán
    (Role.CHECKPOINT_OFFICER, "268"),  # QL6 and the southern gateways (S24)
    (Role.MARKET_KEEPER, "00139"),  # chợ Bồ Đề's gate and prices (S26)
    (Role.COMMUNITY_MEMBER, "00139"),  # a party member's households (S35)
)


@dataclass(frozen=True)
class Login:
    """A demo login as printed for the user."""

    username: str
    role: str
    unit: str
    created: bool


def demo_username(role: str, unit_code: str) -> str:
    return f"{USERNAME_PREFIX[role]}-{unit_code}"


def ensure_logins(ctx: DemoContext) -> str:
    """Create the missing demo users; existing ones get the password back and any missing role."""
    # One hash for every login: the password is published anyway, and each hash costs a second.
    encoded = make_password(ctx.password)
    logins: list[Login] = []
    for role, unit_code in DEMO_LOGINS:
        unit = territory.unit_by_code(unit_code)
        if unit is None:
            raise LookupError(f"unit {unit_code} is missing: run the territory migrations first")
        username = demo_username(role, unit_code)
        user = accounts.user_by_username(username)
        created = user is None
        if user is None:
            user = create_user(username=username, password=None, role=role, unit=unit)
        elif not any(a.role == role and a.unit_id == unit.pk for a in accounts.assignments_of(user)):
            assign_role(user=user, role=role, unit=unit)
        user.password = encoded
        user.save(update_fields=["password"])
        logins.append(Login(username, str(role.label), unit.full_name, created=created))
    ctx.results["logins"] = logins
    new = sum(login.created for login in logins)
    return f"{new} logins created, {len(logins) - new} reset to the demo password"


def login_table(logins: list[Login], password: str) -> str:
    """The logins as an aligned plain-text table."""
    header = ("username", "role", "unit", "password")
    rows = [header, *((login.username, login.role, login.unit, password) for login in logins)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
