"""`/api/v1/customers`: search and the household file (R30). Staff tokens get 403 (R27)."""

from __future__ import annotations


from hotline.api import ApiBlueprint
from hotline.auth import roles
from hotline.auth.permissions import require_role
from hotline.auth.current import current_actor
from hotline.directory.presenters import customer_dict
from hotline.directory.schemas import CustomerFileSchema, CustomerQuerySchema, CustomerSchema
from hotline.directory.services import account_by_number, search_accounts
from hotline.errors import NotFound
from hotline.extensions import db
from hotline.registry import registry

bp = ApiBlueprint("customers_api", __name__, url_prefix="/customers",
                  description="Customer accounts (one household, one file).")


@bp.route("")
@bp.arguments(CustomerQuerySchema, location="query")
@bp.response(200, CustomerSchema(many=True))
@bp.paginate()
@require_role(*roles.HOTLINE)
def list_customers(args, pagination_parameters):
    rows, total = search_accounts(
        db.session, phone=args["phone"], account=args["account"], q=args["q"],
        limit=pagination_parameters.page_size, offset=pagination_parameters.first_item)
    pagination_parameters.item_count = total
    user = current_actor()
    return [customer_dict(user, a) for a in rows]


@bp.route("/<account_number>")
@bp.response(200, CustomerFileSchema)
@require_role(*roles.HOTLINE)
def get_customer(account_number: str):
    """The household file (R30): the account, its orders and its calls."""
    account = account_by_number(db.session, account_number)
    if account is None:
        raise NotFound(f"no customer account {account_number!r}")
    user = current_actor()
    lists = registry().household_lists
    return {**customer_dict(user, account), "orders": [], "calls": [],
            **{name: fn(db.session, account, user) for name, fn in lists.items()}}
