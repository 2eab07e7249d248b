package dev.sluice.bench.badinput;

/**
 * One bad input and the answer it must get.
 *
 * @param name what is wrong, for the table
 * @param channel {@link Channel#HTTP}: a POST to {@code path} with {@code body}; {@link Channel#KAFKA}: a
 *     record on the requests topic with key {@code marker} and value {@code body} (null = a tombstone)
 * @param json whether the Kafka record says {@code content-type: application/json}
 * @param marker a unique string: the request id where the input names one, and the Kafka key
 * @param expected the answer Sluice owes it
 */
record BadInput(String name, Channel channel, String path, String contentType, byte[] body, boolean json, String marker,
    Outcome expected) {

  enum Channel { HTTP, KAFKA }

  /** How a bad input was answered. */
  enum Outcome {
    /** HTTP 4xx with an OpenAI error object ({"error": {"message", "type", ...}}). */
    HTTP_4XX,
    /** One ERROR result on the results topic for the request id it names. */
    ERROR_RESULT,
    /** A DLQ record: bytes in which no request can be identified. */
    DLQ,
    /** Anything else: a 2xx, a 5xx, a reset, a 4xx without an error object, no answer at all. */
    UNANSWERED
  }
}
