package dev.sluice.ingress.openai;

/**
 * An error answered in the OpenAI shape {@code {"error":{"message","type","param","code"}}}.
 * Thrown by request parsing and handlers; the server's exception mapper writes it.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private Integer retryAfterSeconds;

  public ApiError(int status, String type, String code, String param, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  public static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", "invalid_request", param, message);
  }

  /**
   * The HTTP answer to an ERROR result: invalid_request 400, model_not_found 404, too_large 413,
   * no_workers 503, deadline_exceeded 504, anything else 500.
   */
  public static ApiError fromResultCode(String code, String message) {
    String c = code == null ? "internal" : code;
    return switch (c) {
      case "invalid_request" -> new ApiError(400, "invalid_request_error", c, null, message);
      case "model_not_found" -> new ApiError(404, "invalid_request_error", c, "model", message);
      case "too_large" -> new ApiError(413, "invalid_request_error", c, null, message);
      case "no_workers" -> new ApiError(503, "service_unavailable_error", c, null, message);
      case "deadline_exceeded" -> new ApiError(504, "timeout_error", c, null, message);
      default -> new ApiError(500, "server_error", c, null, message);
    };
  }

  /** Adds a {@code Retry-After} header to the answer (429 and 503). */
  public ApiError withRetryAfter(int seconds) {
    this.retryAfterSeconds = seconds;
    return this;
  }

  /** Seconds for {@code Retry-After}, or null. */
  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String param() {
    return param;
  }

  public String code() {
    return code;
  }
}
