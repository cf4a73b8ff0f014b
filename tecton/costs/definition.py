"""CostDefinition: a strategy's YAML ``costs:`` block, validated, and the CostModel it builds.

    costs: {commission: true, spread: true, roll: true, funding: true, impact: 0.0}

Every key is optional: all costs are charged by default, market impact is off (0).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tecton.costs.holding import Funding, Roll
from tecton.costs.model import CostModel
from tecton.costs.trading import Commission, Impact, Spread


class CostDefinition(BaseModel):
    """Which costs a strategy pays.

    Parameters
    ----------
    commission : bool
        Commission per contract and as a share of the notional.
    spread : bool
        Half the bid/ask spread on every trade.
    roll : bool
        Two trades of every held contract at each roll.
    funding : bool
        Funding of perpetuals (zero for futures).
    impact : float
        Coefficient of the 3/2-power market impact; 0 (the default) leaves it out.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    commission: bool = True
    spread: bool = True
    roll: bool = True
    funding: bool = True
    impact: float = Field(default=0.0, ge=0, allow_inf_nan=False)

    def build(self) -> CostModel:
        """The :class:`CostModel` charging the costs switched on."""
        kinds = [
            kind
            for on, kind in (
                (self.commission, Commission),
                (self.spread, Spread),
                (self.roll, Roll),
                (self.funding, Funding),
            )
            if on
        ]
        model = CostModel([k() for k in kinds])
        return model + Impact(self.impact) if self.impact > 0 else model
