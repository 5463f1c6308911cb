"""Rights on positions and pay grades: one helper per object type (see departments.permissions).

Everyone logged in may read; writes need the model permission, which the migrations give to the
Personalamt (positions) and which superusers have anyway (pay grades).
"""

from departments.permissions import Action, ModelRights, model_rights, require_model_right
from stellenplan.models import PayGrade, Position


def position_rights(user) -> ModelRights:
    return model_rights(user, Position)


def require_position_right(user, action: Action) -> None:
    require_model_right(user, Position, action)


def paygrade_rights(user) -> ModelRights:
    return model_rights(user, PayGrade)


def require_paygrade_right(user, action: Action) -> None:
    require_model_right(user, PayGrade, action)
