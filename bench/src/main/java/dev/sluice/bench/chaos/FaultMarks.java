package dev.sluice.bench.chaos;

/**
 * When a fault struck and what it did, in wall-clock ms.
 *
 * @param faultAtMs the kill, stop or first action
 * @param replacementAtMs when the replacement of what was killed started (router, broker), or -1
 * @param secondActionAtMs a second action of the same fault (the SIGTERM after a worker was added), or -1
 * @param doneAtMs when the fault's last step returned (a replacement ready, a stopped worker exited)
 * @param note what was done, for the output
 */
record FaultMarks(long faultAtMs, long replacementAtMs, long secondActionAtMs, long doneAtMs, String note) {
  static final FaultMarks NONE = new FaultMarks(-1, -1, -1, -1, "no fault");
}
