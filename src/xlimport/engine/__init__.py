"""Formula engines: the contract (:mod:`.base`), HyperFormula in a Node process
(:mod:`.hyperformula`), its installation (:mod:`.install`) and the iterative solver for circular
references (:mod:`.circular`)."""

from .base import (
    Engine,
    EngineErrorValue,
    EngineName,
    EngineSettings,
    EngineSheet,
    FormulaColumns,
    LoadReport,
)
from .circular import CircularSolver, GroupReport, solve_circular
from .hyperformula import HyperFormulaEngine, get_engine
from .install import check_node, ensure_engine_installed

__all__ = [
    "CircularSolver",
    "Engine",
    "EngineErrorValue",
    "EngineName",
    "EngineSettings",
    "EngineSheet",
    "FormulaColumns",
    "GroupReport",
    "HyperFormulaEngine",
    "LoadReport",
    "check_node",
    "ensure_engine_installed",
    "get_engine",
    "solve_circular",
]
