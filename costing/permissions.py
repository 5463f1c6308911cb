"""Rights on cost rates and reimbursement rules (the Kämmerei's; see departments.permissions)."""

from costing.models import CostRate, ReimbursementRule
from departments.permissions import Action, ModelRights, model_rights, require_model_right


def costrate_rights(user) -> ModelRights:
    return model_rights(user, CostRate)


def require_costrate_right(user, action: Action) -> None:
    require_model_right(user, CostRate, action)


def rule_rights(user) -> ModelRights:
    return model_rights(user, ReimbursementRule)


def require_rule_right(user, action: Action) -> None:
    require_model_right(user, ReimbursementRule, action)
