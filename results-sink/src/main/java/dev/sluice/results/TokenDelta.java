package dev.sluice.results;

import java.util.List;

/** One TOKEN result of a request, released in index order and exactly once. */
public record TokenDelta(String requestId, int index, List<Integer> tokenIds, String text) {}
