package dev.sluice.bench.soak;

/**
 * One sample of a soak run: the process's memory, the pipeline's queues, and the requests finished
 * since the previous sample.
 *
 * @param atSeconds since the measured part of the run began
 * @param queueDepth records polled and waiting to run, summed over every worker
 * @param completed requests finished (DONE) in this interval
 * @param failed requests that ended in ERROR or timed out in this interval
 * @param latencyP50Ms of the requests finished in this interval; 0 when none
 */
record SoakSample(double atSeconds, ProcessMemory memory, long queueDepth, long activeSequences, long completed,
    long failed, long latencyP50Ms, long latencyP99Ms, double tokensPerSecond) {}
