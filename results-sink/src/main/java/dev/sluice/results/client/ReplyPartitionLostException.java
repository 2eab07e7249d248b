package dev.sluice.results.client;

/**
 * A rebalance of the results consumer group moved a waiting request's reply partition to another
 * member: this client will never see its results, so the request fails instead of hanging.
 * Submitting it again picks one of the partitions this client owns now.
 */
public final class ReplyPartitionLostException extends RuntimeException {
  /** The message names the request and its reply partition (callers act on the type alone). */
  public ReplyPartitionLostException(String requestId, int replyPartition) {
    super("reply partition " + replyPartition + " of request " + requestId
        + " was reassigned to another results consumer; submit the request again");
  }
}
