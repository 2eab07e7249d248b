package dev.sluice.ingress;

import dev.sluice.ingress.openai.ChatTemplate;
import dev.sluice.ingress.openai.SamplingDefaults;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Settings of one ingress instance.
 *
 * @param host interface to bind (default 0.0.0.0)
 * @param port HTTP port; 0 picks a free one
 * @param modelName the served model's name, listed by /v1/models (the model directory name, e.g. stories260K)
 * @param apiKeys accepted {@code Authorization: Bearer} keys; empty = no authentication
 * @param maxInFlight requests this instance waits on at once; one more gets 429
 * @param maxBodyBytes largest request body; larger gets 413
 * @param requestTimeout deadline of a request (sent as deadlineMs); past it the answer is 504
 * @param defaultMaxTokens max_tokens when a request does not say
 * @param chatTemplate how chat messages become a prompt
 * @param samplingDefaults temperature, top_p and top_k of requests that leave them out
 * @param kafkaOverrides extra Kafka client settings (SASL/TLS...)
 * @param maxQueuedPerStage admission: while a stage has more records waiting than this (its group's
 *     lag, or its live workers' queues, whichever is more), new requests get 429 with Retry-After
 * @param workerForgetAfter how long after its last heartbeat a silent worker stays listed by /workers
 * @param requestsPerSecondPerKey requests per second an API key may send; more get 429 (0 = no limit)
 * @param tokensPerMinutePerKey tokens (prompt + completion) per minute an API key may use; more get 429 (0 = no limit)
 */
public record IngressSettings(
    String host,
    int port,
    String modelName,
    Set<String> apiKeys,
    int maxInFlight,
    long maxBodyBytes,
    Duration requestTimeout,
    int defaultMaxTokens,
    ChatTemplate chatTemplate,
    SamplingDefaults samplingDefaults,
    Map<String, Object> kafkaOverrides,
    long maxQueuedPerStage,
    Duration workerForgetAfter,
    double requestsPerSecondPerKey,
    long tokensPerMinutePerKey) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_MAX_IN_FLIGHT = 128;
  public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);
  public static final int DEFAULT_MAX_TOKENS = 16;
  public static final long DEFAULT_MAX_QUEUED_PER_STAGE = 1024;
  public static final Duration DEFAULT_WORKER_FORGET_AFTER = Duration.ofMinutes(5);

  public IngressSettings {
    host = host == null ? DEFAULT_HOST : host;
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
    if (modelName == null || modelName.isBlank()) throw new IllegalArgumentException("model name is required");
    apiKeys = apiKeys == null ? Set.of() : Set.copyOf(apiKeys);
    if (maxInFlight < 1) throw new IllegalArgumentException("max in-flight requests must be >= 1: " + maxInFlight);
    if (maxBodyBytes < 1024) throw new IllegalArgumentException("max body bytes must be >= 1024: " + maxBodyBytes);
    requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    if (requestTimeout.toMillis() < 1) throw new IllegalArgumentException("request timeout must be positive: " + requestTimeout);
    if (defaultMaxTokens < 1) throw new IllegalArgumentException("default max tokens must be >= 1: " + defaultMaxTokens);
    chatTemplate = chatTemplate == null ? ChatTemplate.PLAIN : chatTemplate;
    samplingDefaults = samplingDefaults == null ? SamplingDefaults.OPENAI : samplingDefaults;
    kafkaOverrides = kafkaOverrides == null ? Map.of() : Map.copyOf(kafkaOverrides);
    if (maxQueuedPerStage < 1) throw new IllegalArgumentException("max queued records per stage must be >= 1: " + maxQueuedPerStage);
    workerForgetAfter = workerForgetAfter == null ? DEFAULT_WORKER_FORGET_AFTER : workerForgetAfter;
    if (requestsPerSecondPerKey < 0) throw new IllegalArgumentException("requests per second per key must be >= 0: " + requestsPerSecondPerKey);
    if (tokensPerMinutePerKey < 0) throw new IllegalArgumentException("tokens per minute per key must be >= 0: " + tokensPerMinutePerKey);
  }

  /** With the admission and worker-list defaults. */
  public IngressSettings(String host, int port, String modelName, Set<String> apiKeys, int maxInFlight, long maxBodyBytes,
      Duration requestTimeout, int defaultMaxTokens, ChatTemplate chatTemplate, SamplingDefaults samplingDefaults,
      Map<String, Object> kafkaOverrides) {
    this(host, port, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate,
        samplingDefaults, kafkaOverrides, DEFAULT_MAX_QUEUED_PER_STAGE, DEFAULT_WORKER_FORGET_AFTER, 0, 0);
  }

  /** Defaults for everything but the model name. */
  public static IngressSettings forModel(String modelName) {
    return new IngressSettings(DEFAULT_HOST, DEFAULT_PORT, modelName, Set.of(), DEFAULT_MAX_IN_FLIGHT,
        DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_TOKENS, ChatTemplate.PLAIN, SamplingDefaults.OPENAI, Map.of());
  }

  public IngressSettings withPort(int newPort) {
    return new IngressSettings(host, newPort, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withHost(String newHost) {
    return new IngressSettings(newHost, port, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withApiKeys(Set<String> keys) {
    return new IngressSettings(host, port, modelName, keys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withMaxInFlight(int max) {
    return new IngressSettings(host, port, modelName, apiKeys, max, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withMaxBodyBytes(long max) {
    return new IngressSettings(host, port, modelName, apiKeys, maxInFlight, max, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withRequestTimeout(Duration timeout) {
    return new IngressSettings(host, port, modelName, apiKeys, maxInFlight, maxBodyBytes, timeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withChatTemplate(ChatTemplate template) {
    return new IngressSettings(host, port, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, template, samplingDefaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withSamplingDefaults(SamplingDefaults defaults) {
    return new IngressSettings(host, port, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, defaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withKafkaOverrides(Map<String, Object> overrides) {
    return new IngressSettings(host, port, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, overrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withMaxQueuedPerStage(long max) {
    return new IngressSettings(host, port, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, max, workerForgetAfter, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  public IngressSettings withWorkerForgetAfter(Duration after) {
    return new IngressSettings(host, port, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, maxQueuedPerStage, after, requestsPerSecondPerKey, tokensPerMinutePerKey);
  }

  /** Per-API-key limits: requests per second and tokens per minute (0 = no limit). */
  public IngressSettings withKeyLimits(double requestsPerSecond, long tokensPerMinute) {
    return new IngressSettings(host, port, modelName, apiKeys, maxInFlight, maxBodyBytes, requestTimeout, defaultMaxTokens, chatTemplate, samplingDefaults, kafkaOverrides, maxQueuedPerStage, workerForgetAfter, requestsPerSecond, tokensPerMinute);
  }
}
