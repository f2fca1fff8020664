package dev.tailor.search;

/** What a single-objective search answers: a subnet, or why no subnet fits the budget. */
public sealed interface SearchOutcome permits Found, Infeasible {}
