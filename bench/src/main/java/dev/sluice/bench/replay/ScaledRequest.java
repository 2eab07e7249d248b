package dev.sluice.bench.replay;

/**
 * One trace request at replay scale.
 *
 * @param id {@code m<line>} as in the trace order
 * @param arrivalMs scaled arrival time from the start of the replay
 * @param promptTokens BOS followed by the synthetic blocks of the kept hash ids
 * @param maxTokens output tokens to ask for
 * @param hashIds the kept leading hash ids (one per block of the prompt)
 */
public record ScaledRequest(String id, long arrivalMs, int[] promptTokens, int maxTokens, long[] hashIds) {}
