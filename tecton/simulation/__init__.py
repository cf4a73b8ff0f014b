"""Backtests: a strategy over history, seeing only the past, filled the next day (close or open).

from tecton.simulation import Simulation
run = Simulation(Strategy.from_yaml("futures_trend_carry"), start="2005-01-01").run()
"""

from tecton.simulation.history import History, load_history
from tecton.simulation.simulator import Simulation, SimulationResult, run_events

__all__ = ["History", "Simulation", "SimulationResult", "load_history", "run_events"]
