package dev.tailor.search;

/** What a Pareto search answers: a front, or why no subnet fits the budget. */
public sealed interface FrontOutcome permits ParetoFront, Infeasible {}
